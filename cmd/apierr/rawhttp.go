package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httputil"
	"regexp"
	"strings"
)

// headLimit bounds the HTTP head of a capture (status line and headers,
// 1xx heads included); net/http's server allows 1 MiB, proxies 8–64 KiB.
const headLimit = 64 << 10

// sniffSize is how much of the input is looked at to tell raw HTTP from a
// bare body.
const sniffSize = 16 << 10

// capture is a response as read from a capture file: the head (when the
// capture is raw HTTP) and a reader of the body as captured.
type capture struct {
	resp    *http.Response // status and headers; StatusCode 0 for a bare body
	body    io.Reader      // the body: de-chunked, not yet gunzipped or bounded
	raw     bool           // the input was raw HTTP
	verbose bool           // curl -v markers ("< ", "> ", "* ") were stripped
	notes   []string       // what was lenient about the head
}

var (
	errEmpty       = errors.New("the input is empty")
	errHeadTooLong = fmt.Errorf("the HTTP head is longer than %d KiB", headLimit>>10)
	// statusLine is what a raw capture starts with: HTTP/1.1 409, HTTP/2 409,
	// HTTP/2.0 409 Conflict, HTTP/3 503.
	statusLine = regexp.MustCompile(`^HTTP/(\d)(?:\.(\d))? +(\S+)(?: +(.*))?$`)
	headerName = regexp.MustCompile("^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
	chunkSize  = regexp.MustCompile(`^[0-9a-fA-F]{1,16}[ \t]*(;[^\r\n]*)?\r?\n`)
)

// readCapture reads the head of a capture from in: raw HTTP as curl -i,
// curl -v or a proxy log gives it (CRLF or LF line ends, HTTP/2 status
// lines without a reason, 1xx heads before the final one), or else a bare
// body. It never reads more than headLimit bytes of head; the body is
// left to the caller's bounded read.
func readCapture(in io.Reader) (*capture, error) {
	br := bufio.NewReaderSize(in, sniffSize)
	peek, err := br.Peek(sniffSize)
	if len(peek) == 0 {
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, err
		}
		return nil, errEmpty
	}
	raw, verbose := sniff(peek)
	if !raw {
		return &capture{body: br}, nil
	}
	c := &capture{raw: true, verbose: verbose}
	budget := headLimit
	for heads := 0; ; heads++ {
		lines, ended, err := readHead(br, &budget, verbose)
		if err != nil {
			return nil, err
		}
		resp, err := parseHead(lines, c)
		if err != nil {
			return nil, err
		}
		if !ended {
			c.notes = append(c.notes, "the capture ends inside the HTTP head: no body")
		}
		// A 1xx head (100 Continue, 103 Early Hints) precedes the response.
		if resp.StatusCode >= 100 && resp.StatusCode < 200 && ended && heads < 8 {
			if sniffHead(br) {
				continue
			}
		}
		c.resp = resp
		c.body = bodyReader(br, resp, c)
		return c, nil
	}
}

// sniff reports whether the input starts, after blank lines and curl -v's
// request and info lines, with an HTTP status line; verbose when those
// lines carry curl -v's "< " prefix.
func sniff(peek []byte) (raw, verbose bool) {
	for _, line := range strings.Split(string(peek), "\n") {
		line = strings.TrimRight(line, "\r")
		switch {
		case strings.TrimSpace(line) == "", curlInfo(line):
			continue
		case strings.HasPrefix(line, "< "):
			return statusLine.MatchString(strings.TrimPrefix(line, "< ")), true
		}
		return statusLine.MatchString(line), false
	}
	return false, false
}

// curlInfo reports a curl -v line that is not part of the response: "* "
// info, "> " request lines, "{ [n bytes data]".
func curlInfo(line string) bool {
	return strings.HasPrefix(line, "* ") || line == ">" || strings.HasPrefix(line, "> ") ||
		strings.HasPrefix(line, "{ [") || strings.HasPrefix(line, "} [")
}

// sniffHead reports whether more of the input follows that starts another
// head (after blank lines).
func sniffHead(br *bufio.Reader) bool {
	peek, _ := br.Peek(sniffSize)
	raw, _ := sniff(peek)
	return raw
}

// readHead reads the lines of one head up to its blank line, skipping
// blank and curl info lines before it; ended is false when the input ran
// out first.
func readHead(br *bufio.Reader, budget *int, verbose bool) (lines []string, ended bool, err error) {
	for {
		line, err := readLine(br, budget)
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, false, err
		}
		eof := errors.Is(err, io.EOF)
		if verbose {
			if curlInfo(line) {
				if eof {
					return lines, false, nil
				}
				continue
			}
			line = strings.TrimPrefix(strings.TrimPrefix(line, "< "), "<")
		}
		if strings.TrimSpace(line) == "" {
			if len(lines) > 0 {
				return lines, true, nil
			}
			if eof {
				return nil, false, io.ErrUnexpectedEOF
			}
			continue // blank lines before the status line
		}
		lines = append(lines, line)
		if eof {
			return lines, false, nil
		}
	}
}

// readLine reads one line without its line end, charging it to budget.
func readLine(br *bufio.Reader, budget *int) (string, error) {
	var b []byte
	for {
		frag, err := br.ReadSlice('\n')
		*budget -= len(frag)
		if *budget < 0 {
			return "", errHeadTooLong
		}
		b = append(b, frag...)
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		line := strings.TrimRight(string(b), "\r\n")
		if err != nil && len(b) == 0 {
			return "", err
		}
		return line, err
	}
}

// parseHead turns head lines into a response with net/http's own parser,
// after making them acceptable to it: "HTTP/2 409" becomes "HTTP/2.0 409",
// folded lines are joined, and lines that are no header are dropped (and
// counted in c.notes).
func parseHead(lines []string, c *capture) (*http.Response, error) {
	m := statusLine.FindStringSubmatch(lines[0])
	if m == nil {
		return nil, fmt.Errorf("not an HTTP status line: %s", quote(clip(lines[0], 80)))
	}
	minor := m[2]
	if minor == "" {
		minor = "0"
	}
	var head strings.Builder
	head.WriteString("HTTP/" + m[1] + "." + minor + " " + m[3])
	if m[4] != "" {
		head.WriteString(" " + m[4])
	}
	head.WriteString("\r\n")
	ignored := 0
	var headers []string
	for _, l := range lines[1:] {
		if (l[0] == ' ' || l[0] == '\t') && len(headers) > 0 {
			headers[len(headers)-1] += " " + strings.TrimSpace(l)
			continue
		}
		name, _, ok := strings.Cut(l, ":")
		if !ok || !headerName.MatchString(name) {
			ignored++
			continue
		}
		headers = append(headers, l)
	}
	for _, h := range headers {
		head.WriteString(h + "\r\n")
	}
	head.WriteString("\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(strings.NewReader(head.String())), nil)
	if err != nil {
		return nil, fmt.Errorf("reading the HTTP head: %w", err)
	}
	if ignored > 0 {
		c.notes = append(c.notes, fmt.Sprintf("%d line(s) of the head are no header and were ignored", ignored))
	}
	return resp, nil
}

// bodyReader is the body after the head: de-chunked when the head says
// chunked and the capture still has chunk sizes (curl -i shows them
// decoded), cut at Content-Length as a client would.
func bodyReader(br *bufio.Reader, resp *http.Response, c *capture) io.Reader {
	var body io.Reader = br
	if len(resp.TransferEncoding) > 0 && resp.TransferEncoding[0] == "chunked" {
		if first, _ := br.Peek(32); chunkSize.Match(first) {
			return httputil.NewChunkedReader(br)
		}
		c.notes = append(c.notes, "chunked, but the capture holds the body already de-chunked")
		return body
	}
	if resp.ContentLength >= 0 {
		return io.LimitReader(br, resp.ContentLength)
	}
	return body
}

// stripCurlLines drops curl -v's info lines that end up in the body when
// its stderr and stdout were captured together.
func stripCurlLines(body []byte) []byte {
	if !bytes.Contains(body, []byte("\n* ")) && !bytes.HasPrefix(body, []byte("* ")) &&
		!bytes.Contains(body, []byte("{ [")) {
		return body
	}
	var out []byte
	for _, line := range bytes.SplitAfter(body, []byte("\n")) {
		if !curlInfo(strings.TrimRight(string(line), "\r\n")) {
			out = append(out, line...)
		}
	}
	return bytes.TrimRight(out, "\r\n")
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
