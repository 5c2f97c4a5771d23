package main

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// corpusDir holds real published error bodies: ../shared/corpus from the
// repository root.
var corpusDir = filepath.Join("..", "..", "..", "shared", "corpus")

// corpusCodes is the API and code each corpus body carries, written from
// the file names and SOURCES.md's notes (not from the decoder's output).
var corpusCodes = map[string][2]string{
	"aspnetcore-validation-2.2-traceid.json":          {"generic", ""},
	"aspnetcore-validationproblem-errors-map.json":    {"generic", "https://tools.ietf.org/html/rfc7231#section-6.5.1"},
	"aspnetcore-validationproblem-no-errors-bug.json": {"generic", "https://tools.ietf.org/html/rfc7231#section-6.5.1"},
	"belgif-problem-issues-array.json":                {"generic", "urn:problem-type:belgif:badRequest"},
	"entrecode-dmjs-2000-internal.json":               {"entrecode", "2000"},
	"entrecode-dmjs-2201-missing-property.json":       {"entrecode", "2201"},
	"entrecode-doc-2202-verbatim-invalid.json":        {"entrecode", "2202"},
	"entrecode-ecsdk-2102-notfound.json":              {"entrecode", "2102"},
	"entrecode-ecsdk-2401-invalid-token.json":         {"entrecode", "2401"},
	"entrecode-ecsdk-2402-outdated-token.json":        {"entrecode", "2402"},
	"entrecode-ecsdk-embedded-array.json":             {"entrecode", "1100"},
	"entrecode-ecsdk-embedded-single.json":            {"entrecode", "1100"},
	"entrecode-javasdk-2100-empty.json":               {"entrecode", "2100"},
	"entrecode-javasdk-2100-withdetail.json":          {"entrecode", "2100"},
	"entrecode-javasdk-2102.json":                     {"entrecode", "2102"},
	"entrecode-javasdk-2211.json":                     {"entrecode", "2211"},
	"entrecode-javasdk-2213.json":                     {"entrecode", "2213"},
	"rfc9457-out-of-credit.json":                      {"generic", "https://example.com/probs/out-of-credit"},
	"rfc9457-validation-errors.json":                  {"generic", "https://example.net/validation-error"},
	"spring-boot-problemdetail-validation.json":       {"generic", ""}, // about:blank
	"spring-problemdetail-compact.json":               {"generic", ""}, // about:blank
	"tapkey-duplicate-grant.json":                     {"tapkey", "Duplicate"},
	"usta-bare-3001.json":                             {"usta", "3001"},
	"usta-errors-array-3001.json":                     {"usta", "3001"},
	"usta-errors-array-5000-validation.json":          {"usta", "5000"},
	"zalando-problem-503-detail.json":                 {"generic", ""},
	"zalando-problem-cause-chain.json":                {"generic", "https://example.org/order-failed"},
	"zalando-problem-notfound-minimal.json":           {"generic", ""},
	"zalando-problem-out-of-stock-extension.json":     {"generic", "https://example.org/out-of-stock"},
	"zalando-springweb-405.json":                      {"generic", ""},
	"zalando-springweb-406.json":                      {"generic", ""},
}

// sourcesStatuses reads SOURCES.md's "HTTP status" column: the cell's
// leading number, 0 where it is not stated.
func sourcesStatuses(t *testing.T) map[string]int {
	t.Helper()
	f, err := os.Open(filepath.Join(corpusDir, "SOURCES.md"))
	require.NoError(t, err)
	defer f.Close()
	out, col := map[string]int{}, -1
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		cells := strings.Split(strings.Trim(strings.TrimSpace(sc.Text()), "|"), "|")
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		if col < 0 {
			for i, c := range cells {
				if strings.EqualFold(c, "HTTP status") {
					col = i
				}
			}
			continue
		}
		if len(cells) > col && strings.HasSuffix(cells[0], ".json") {
			out[cells[0]], _ = strconv.Atoi(strings.Fields(cells[col] + " x")[0])
		}
	}
	require.NoError(t, sc.Err())
	require.GreaterOrEqual(t, col, 0, "SOURCES.md has no HTTP status column")
	return out
}

// Every corpus body decodes through the command, as a body with --status
// and as raw HTTP, to SOURCES.md's status and the code it carries.
func TestCorpusDecodes(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(corpusDir, "*.json"))
	if len(files) == 0 {
		t.Skipf("no corpus at %s", corpusDir)
	}
	statuses := sourcesStatuses(t)
	for _, file := range files {
		name := filepath.Base(file)
		t.Run(name, func(t *testing.T) {
			want, ok := corpusCodes[name]
			require.True(t, ok, "no expectation for %s: add it to corpusCodes", name)
			status, ok := statuses[name]
			require.True(t, ok, "%s is not in SOURCES.md", name)
			body, err := os.ReadFile(file)
			require.NoError(t, err)

			args := []string{"decode", "--json", file}
			if status != 0 {
				args = []string{"decode", "--json", "--status", strconv.Itoa(status), file}
			}
			check(t, runWith(nil, args...), want, status)
			if status != 0 {
				raw := "HTTP/1.1 " + strconv.Itoa(status) + " Whatever\r\nContent-Type: application/json\r\n\r\n" + string(body)
				check(t, runWith(strings.NewReader(raw), "decode", "--json"), want, status)
			}
		})
	}
}

func check(t *testing.T, r result, want [2]string, status int) {
	t.Helper()
	require.Equal(t, 0, r.code, r.stderr)
	var got []decodedJSON
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &got))
	require.Len(t, got, 1)
	assert.Equal(t, want[0], got[0].API)
	assert.Equal(t, want[1], got[0].Code)
	assert.Equal(t, status, got[0].Status)
}
