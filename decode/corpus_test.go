package decode_test

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accessapi/apierr"
	"github.com/accessapi/apierr/codes"
	"github.com/accessapi/apierr/codes/entrecode"
	"github.com/accessapi/apierr/codes/exos"
	"github.com/accessapi/apierr/codes/tapkey"
	"github.com/accessapi/apierr/codes/usta"
	"github.com/accessapi/apierr/decode"
)

// corpusDir holds real published bodies: ../shared/corpus from the
// repository root, which is this package's parent.
var corpusDir = filepath.Join("..", "..", "shared", "corpus")

// corpusExpectation is what a corpus body must decode to, written from the
// file names and the notes in SOURCES.md (not from the decoder's output).
type corpusExpectation struct {
	api       string // the decoder that reads it and the type Auto must pick
	code      string // the code as sent; "" for none (an RFC 9457 `type` for generic)
	subErrors int    // _embedded.error, errors, issues or cause entries
}

var corpusWant = map[string]corpusExpectation{
	"aspnetcore-validation-2.2-traceid.json":          {"generic", "", 1},
	"aspnetcore-validationproblem-errors-map.json":    {"generic", "https://tools.ietf.org/html/rfc7231#section-6.5.1", 1},
	"aspnetcore-validationproblem-no-errors-bug.json": {"generic", "https://tools.ietf.org/html/rfc7231#section-6.5.1", 0},
	"belgif-problem-issues-array.json":                {"generic", "urn:problem-type:belgif:badRequest", 1},
	"entrecode-dmjs-2000-internal.json":               {"entrecode", "2000", 0},
	"entrecode-dmjs-2201-missing-property.json":       {"entrecode", "2201", 0},
	"entrecode-doc-2202-verbatim-invalid.json":        {"entrecode", "2202", 1},
	"entrecode-ecsdk-2102-notfound.json":              {"entrecode", "2102", 0},
	"entrecode-ecsdk-2401-invalid-token.json":         {"entrecode", "2401", 0},
	"entrecode-ecsdk-2402-outdated-token.json":        {"entrecode", "2402", 0},
	"entrecode-ecsdk-embedded-array.json":             {"entrecode", "1100", 2},
	"entrecode-ecsdk-embedded-single.json":            {"entrecode", "1100", 1},
	"entrecode-javasdk-2100-empty.json":               {"entrecode", "2100", 0},
	"entrecode-javasdk-2100-withdetail.json":          {"entrecode", "2100", 0},
	"entrecode-javasdk-2102.json":                     {"entrecode", "2102", 0},
	"entrecode-javasdk-2211.json":                     {"entrecode", "2211", 0},
	"entrecode-javasdk-2213.json":                     {"entrecode", "2213", 0},
	"rfc9457-out-of-credit.json":                      {"generic", "https://example.com/probs/out-of-credit", 0},
	"rfc9457-validation-errors.json":                  {"generic", "https://example.net/validation-error", 2},
	"spring-boot-problemdetail-validation.json":       {"generic", "", 0}, // about:blank
	"spring-problemdetail-compact.json":               {"generic", "", 0}, // about:blank
	"tapkey-duplicate-grant.json":                     {"tapkey", "Duplicate", 0},
	"usta-bare-3001.json":                             {"usta", "3001", 0},
	"usta-errors-array-3001.json":                     {"usta", "3001", 0},
	"usta-errors-array-5000-validation.json":          {"usta", "5000", 0},
	"zalando-problem-503-detail.json":                 {"generic", "", 0},
	"zalando-problem-cause-chain.json":                {"generic", "https://example.org/order-failed", 1},
	"zalando-problem-notfound-minimal.json":           {"generic", "", 0},
	"zalando-problem-out-of-stock-extension.json":     {"generic", "https://example.org/out-of-stock", 0},
	"zalando-springweb-405.json":                      {"generic", "", 0},
	"zalando-springweb-406.json":                      {"generic", "", 0},
}

// sourcesStatuses reads the HTTP status column of SOURCES.md's table: the
// leading number of the cell, or 0 where the status is not stated.
func sourcesStatuses(t *testing.T) map[string]int {
	t.Helper()
	f, err := os.Open(filepath.Join(corpusDir, "SOURCES.md"))
	require.NoError(t, err)
	defer f.Close()
	statuses := map[string]int{}
	header := -1
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		cells := strings.Split(strings.Trim(strings.TrimSpace(sc.Text()), "|"), "|")
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		if header < 0 {
			for i, c := range cells {
				if strings.EqualFold(c, "HTTP status") {
					header = i
				}
			}
			continue
		}
		if len(cells) <= header || !strings.HasSuffix(cells[0], ".json") {
			continue
		}
		status, _ := strconv.Atoi(strings.SplitN(cells[header]+" ", " ", 2)[0])
		statuses[cells[0]] = status
	}
	require.NoError(t, sc.Err())
	require.GreaterOrEqual(t, header, 0, "SOURCES.md has no HTTP status column")
	return statuses
}

// decoded is what the corpus test compares, whatever the code type.
type decoded struct {
	api       string
	status    int
	code      string
	subErrors int
}

func summarize(err error) (decoded, bool) {
	var (
		ex *apierr.Problem[exos.Code]
		en *apierr.Problem[entrecode.Code]
		us *apierr.Problem[usta.Code]
		tk *apierr.Problem[tapkey.Code]
		ge *apierr.Problem[codes.Generic]
	)
	switch {
	case errors.As(err, &ex):
		return decoded{"exos", ex.Status, codeString(ex.Code), len(ex.Errors)}, true
	case errors.As(err, &en):
		return decoded{"entrecode", en.Status, codeString(en.Code), len(en.Errors)}, true
	case errors.As(err, &us):
		return decoded{"usta", us.Status, codeString(us.Code), len(us.Errors)}, true
	case errors.As(err, &tk):
		return decoded{"tapkey", tk.Status, codeString(tk.Code), len(tk.Errors)}, true
	case errors.As(err, &ge):
		return decoded{"generic", ge.Status, codeString(ge.Code), len(ge.Errors)}, true
	}
	return decoded{}, false
}

// codeString is the code as sent, "" for the zero code.
func codeString[C apierr.Code](c C) string {
	var zero C
	if c == zero {
		return ""
	}
	return any(c).(fmt.Stringer).String()
}

// bodyOf returns the Problem's Body, whatever its code type.
func bodyOf(err error) []byte {
	switch p := err.(type) {
	case *apierr.Problem[exos.Code]:
		return p.Body
	case *apierr.Problem[entrecode.Code]:
		return p.Body
	case *apierr.Problem[usta.Code]:
		return p.Body
	case *apierr.Problem[tapkey.Code]:
		return p.Body
	case *apierr.Problem[codes.Generic]:
		return p.Body
	}
	return nil
}

var decoderFor = map[string]apierr.Decoder{
	"exos": decode.Exos, "entrecode": decode.Entrecode, "usta": decode.USTA,
	"tapkey": decode.Tapkey, "generic": decode.Problem,
}

// corpusPaths lists the corpus bodies; none when the folder is absent.
func corpusPaths() []string {
	files, _ := filepath.Glob(filepath.Join(corpusDir, "*.json"))
	return files
}

func corpusFiles(t testing.TB) []string {
	files := corpusPaths()
	if len(files) == 0 {
		t.Skipf("no corpus at %s", corpusDir)
	}
	return files
}

// Every corpus body decodes, with its API's decoder and with Auto, to the
// status SOURCES.md gives and the code its name and notes give.
func TestCorpus(t *testing.T) {
	files := corpusFiles(t)
	statuses := sourcesStatuses(t)
	passed, bodyStatus := 0, 0
	for _, file := range files {
		name := filepath.Base(file)
		t.Run(name, func(t *testing.T) {
			want, ok := corpusWant[name]
			require.True(t, ok, "no expectation for %s: add it to corpusWant", name)
			status, ok := statuses[name]
			require.True(t, ok, "%s is not in SOURCES.md", name)
			body, err := os.ReadFile(file)
			require.NoError(t, err)

			for _, d := range []struct {
				name    string
				decoder apierr.Decoder
			}{{want.api, decoderFor[want.api]}, {"auto", decode.Auto}} {
				got, ok := summarize(d.decoder.Decode(response(status, nil), body))
				require.True(t, ok, "%s: not a *apierr.Problem", d.name)
				assert.Equal(t, decoded{want.api, status, want.code, want.subErrors}, got, d.name)

				// Without a response status, the body's own status (if
				// any) must agree with SOURCES.md.
				got, _ = summarize(d.decoder.Decode(response(0, nil), body))
				if got.status != 0 {
					assert.Equal(t, status, got.status, "%s: status from the body", d.name)
					bodyStatus++
				}
			}
			if !t.Failed() {
				passed++
			}
		})
	}
	t.Logf("corpus: %d of %d bodies pass; %d decodes took the status from the body", passed, len(files), bodyStatus)
}
