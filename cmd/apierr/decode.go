package main

import (
	"bufio"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/accessapi/apierr"
	"github.com/accessapi/apierr/codes"
	"github.com/accessapi/apierr/codes/entrecode"
	"github.com/accessapi/apierr/codes/exos"
	"github.com/accessapi/apierr/codes/tapkey"
	"github.com/accessapi/apierr/codes/usta"
	"github.com/accessapi/apierr/decode"
	"github.com/accessapi/apierr/internal/boundedbody"
)

const decodeSynopsis = `Decodes a captured error response as the apierr client's Do would: the
same decoders (decode.Auto, or --api's), the same bounded read of the body
(1 MiB), and shows the typed error's fields, the retry class the client
applies and whether it would retry a GET and a POST.

The input (FILE, or stdin when FILE is absent or -) is raw HTTP as curl -i,
curl -v or a proxy log shows it (CRLF or LF line ends, HTTP/2 status lines),
or a bare body; give a bare body's status with --status (without it, the
status the body itself names, if any).`

const decodeExamples = `  curl -si https://api.example/v1/x | apierr decode
  apierr decode capture.txt                          raw HTTP, API detected
  apierr decode --api tapkey --status 409 body.json  a body, decoded as Tapkey
  apierr decode --json capture.txt                   the fields as JSON`

// decoders are the --api choices; "problem" is RFC 9457 without a catalogue.
var decoders = map[string]apierr.Decoder{
	"exos": decode.Exos, "entrecode": decode.Entrecode, "usta": decode.USTA,
	"tapkey": decode.Tapkey, "problem": decode.Problem,
}

func runDecode(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	c := newCommand("decode", "[--api NAME] [--status N] [--json] [FILE]", decodeSynopsis, decodeExamples, stdout, stderr)
	api := c.fs.String("api", "", "decode as this API: exos, entrecode, usta, tapkey or problem (RFC 9457); default: detect")
	status := c.fs.Int("status", 0, "the HTTP status of a bare body (overrides a raw capture's status line)")
	asJSON := c.fs.Bool("json", false, "print a JSON array with the decoded error")
	pos, st, ok := c.parse(args)
	if !ok {
		return st
	}
	if len(pos) > 1 {
		return c.usageError(fmt.Sprintf("want at most one FILE, got %d", len(pos)))
	}
	a, err := checkAPI(*api, "problem")
	if err != nil {
		return c.usageError(err.Error())
	}
	if *status != 0 && (*status < 100 || *status > 599) {
		return c.usageError(fmt.Sprintf("--status %d: want 100-599", *status))
	}
	in := stdin
	if len(pos) == 1 && pos[0] != "-" {
		f, err := os.Open(pos[0])
		if err != nil {
			fmt.Fprintf(stderr, "apierr decode: %v\n", err)
			return exitUsage
		}
		defer f.Close()
		in = f
	}
	d, err := decodeCapture(in, a, *status)
	if err != nil {
		fmt.Fprintf(stderr, "apierr decode: %v\n", err)
		return exitNoMatch
	}
	if *asJSON {
		err = writeJSON(stdout, []decodedJSON{d})
	} else {
		err = writeDecoded(stdout, d)
	}
	if err != nil {
		return writeFailed(stderr, err)
	}
	return exitFound
}

// decodedJSON is a decoded response in --json output. The first nine
// members are the contract's.
type decodedJSON struct {
	API          string     `json:"api"` // exos, entrecode, usta, tapkey, or generic
	Status       int        `json:"status"`
	Code         string     `json:"code"`
	Title        string     `json:"title"`
	Detail       string     `json:"detail"`
	UserMessage  string     `json:"user_message"`
	RequestID    string     `json:"request_id"`
	RetryAfterMS int64      `json:"retry_after_ms"`
	Retry        string     `json:"retry"`
	RetriesGET   bool       `json:"retries_get"`
	RetriesPOST  bool       `json:"retries_post"`
	Decoder      string     `json:"decoder"` // auto, or --api's
	Type         string     `json:"type,omitempty"`
	Name         string     `json:"name,omitempty"`
	Description  string     `json:"description,omitempty"`
	Documented   bool       `json:"documented"`
	Applied      bool       `json:"applied"`
	Permission   bool       `json:"permission"`
	Errors       []subJSON  `json:"errors,omitempty"`
	BodyBytes    int        `json:"body_bytes"`
	Truncated    bool       `json:"truncated"`
	Notes        []string   `json:"notes,omitempty"`
	err          error      // the typed error, for the text output
	info         codes.Info // the code's Info
	class        codes.RetryClass
}

// subJSON is one further error (_embedded.error, errors[1:]).
type subJSON struct {
	Code   string `json:"code"`
	Title  string `json:"title,omitempty"`
	Detail string `json:"detail,omitempty"`
}

// decodeCapture reads a capture and decodes it as Do does: the body read
// with the client's bound (gunzipped first when the server sent gzip), the
// decoder's error, or a generic Problem when the decoder returned none.
func decodeCapture(in io.Reader, api string, status int) (decodedJSON, error) {
	c, err := readCapture(in)
	if err != nil {
		return decodedJSON{}, err
	}
	resp := c.resp
	if resp == nil {
		resp = &http.Response{Header: http.Header{}}
	}
	if status != 0 {
		if c.raw && resp.StatusCode != status {
			c.notes = append(c.notes, fmt.Sprintf("--status %d replaces the captured %d", status, resp.StatusCode))
		}
		resp.StatusCode = status
	}
	body, truncated, readErr := boundedbody.Read(gunzip(resp.Header, c.body, c), boundedbody.DefaultLimit)
	if readErr != nil {
		c.notes = append(c.notes, "the body could not be read to its end: "+readErr.Error())
	}
	if c.verbose {
		body = stripCurlLines(body)
	}
	if !c.raw && resp.StatusCode == 0 {
		c.notes = append(c.notes, "a bare body without --status: the status is the one the body names, if any")
	}
	d := decoders[api]
	name := api
	if d == nil {
		d, name = decode.Auto, "auto"
	}
	perr := d.Decode(resp, body)
	if perr == nil {
		perr = apierr.NewProblem[codes.Generic](resp, body)
	}
	out := summarize(perr)
	out.Decoder, out.BodyBytes, out.Truncated, out.Notes = name, len(body), truncated, c.notes
	out.class = apierr.RetryClassOf(perr)
	out.Retry = out.class.String()
	out.RetriesGET, out.RetriesPOST = retries(out.class)
	return out, nil
}

// gunzip returns the body gunzipped when the head says gzip and the bytes
// are gzip, as the client's error path does; else the body as captured.
func gunzip(h http.Header, body io.Reader, c *capture) io.ReadCloser {
	if !strings.EqualFold(strings.TrimSpace(h.Get("Content-Encoding")), "gzip") {
		return io.NopCloser(body)
	}
	br := bufio.NewReaderSize(body, 512)
	if magic, _ := br.Peek(2); len(magic) < 2 || magic[0] != 0x1f || magic[1] != 0x8b {
		c.notes = append(c.notes, "Content-Encoding: gzip, but the capture holds the body already gunzipped")
		return io.NopCloser(br)
	}
	zr, err := gzip.NewReader(br)
	if err != nil {
		return io.NopCloser(br)
	}
	return zr
}

// summarize reads a decoder's error through its concrete Problem type, so
// that the code's catalogue row (Info, name) is known.
func summarize(err error) decodedJSON {
	var (
		ex *apierr.Problem[exos.Code]
		en *apierr.Problem[entrecode.Code]
		us *apierr.Problem[usta.Code]
		tk *apierr.Problem[tapkey.Code]
		ge *apierr.Problem[codes.Generic]
	)
	switch {
	case errors.As(err, &ex):
		return fields(ex, "exos")
	case errors.As(err, &en):
		return fields(en, "entrecode")
	case errors.As(err, &us):
		return fields(us, "usta")
	case errors.As(err, &tk):
		return fields(tk, "tapkey")
	case errors.As(err, &ge):
		return fields(ge, "generic")
	}
	// Every decoder yields a *Problem; this keeps an unknown one readable.
	d := decodedJSON{API: "generic", err: err}
	var e apierr.APIError
	if errors.As(err, &e) {
		d.Status, d.Code = e.StatusCode(), e.ErrorCode()
	}
	return d
}

func fields[C apierr.Code](p *apierr.Problem[C], api string) decodedJSON {
	d := decodedJSON{
		API: api, Status: p.Status, Code: p.ErrorCode(), Title: p.Title, Detail: p.Detail,
		UserMessage: p.UserMessage, RequestID: p.RequestID, RetryAfterMS: p.RetryAfter.Milliseconds(),
		Type: p.Type, err: p,
	}
	if d.Code != "" {
		d.info = p.Code.Info()
		d.Description, d.Documented = d.info.Description, d.info.Known
		d.Applied, d.Permission = d.info.Applied, d.info.Permission
		d.Name = constantName(api, p.Code)
	}
	for _, s := range p.Errors {
		d.Errors = append(d.Errors, subJSON{Code: s.ErrorCode(), Title: s.Title, Detail: s.Detail})
	}
	return d
}

// constantName is the Go constant of a code's catalogue row (for an
// entrecode four-digit code, its family's).
func constantName(api string, code any) string {
	row := ""
	switch c := code.(type) {
	case entrecode.Code:
		row = c.Family().String()
	case interface{ String() string }:
		row = c.String()
	}
	for _, r := range curated[api] {
		if r.code == row {
			return r.name
		}
	}
	return ""
}

// writeDecoded writes the decoded fields, aligned, omitting empty ones.
func writeDecoded(w io.Writer, d decodedJSON) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	detected := d.API
	if d.Decoder == "auto" {
		detected += " (detected)"
		if d.API == "generic" {
			detected = "generic (no vendor shape recognised: RFC 9457 or unknown)"
		}
	} else {
		detected += " (--api " + d.Decoder + ")"
	}
	row := func(label, value string) {
		if value != "" {
			fmt.Fprintf(tw, "%s\t%s\n", label, oneLine(value))
		}
	}
	row("api", detected)
	row("status", statusText(d.Status))
	code := d.Code
	if code == "" {
		code = "none"
	} else if d.Name != "" && d.Name != d.Code {
		code += " (" + d.Name + ")"
	}
	if d.Code != "" && !d.Documented {
		code += ", not in the catalogue"
	}
	row("code", code)
	row("description", d.Description)
	row("type", d.Type)
	row("title", d.Title)
	row("detail", d.Detail)
	row("user message", d.UserMessage)
	row("request id", d.RequestID)
	if d.RetryAfterMS > 0 {
		row("retry after", (time.Duration(d.RetryAfterMS) * time.Millisecond).String())
	}
	row("retry", d.Retry+": "+retriesText(d.class))
	if d.Code != "" {
		row("applied", yesNo(d.Applied, ""))
		row("permission", yesNo(d.Permission, ""))
	}
	for i, s := range d.Errors {
		row("error "+strconv.Itoa(i+2), strings.Join(nonEmpty(s.Code, s.Title, s.Detail), ": "))
	}
	body := strconv.Itoa(d.BodyBytes) + " bytes"
	if d.Truncated {
		body += fmt.Sprintf(", cut at the client's %d KiB bound", boundedbody.DefaultLimit>>10)
	}
	row("body", body)
	for _, n := range d.Notes {
		row("note", n)
	}
	row("error", d.err.Error())
	return tw.Flush()
}

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}
