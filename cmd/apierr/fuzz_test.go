package main

import (
	"bytes"
	"io"
	"strings"
	"testing"
)

// FuzzReadCapture feeds the raw-HTTP reader and the decode path anything:
// they may refuse the input, never panic, and never read past their bounds.
func FuzzReadCapture(f *testing.F) {
	for _, seed := range []string{
		"HTTP/1.1 409 Conflict\r\nContent-Type: application/json\r\nX-Request-Id: a\r\n\r\n" + tapkeyBody,
		"HTTP/2 409\ncontent-type: application/json\n\n" + tapkeyBody,
		"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 400 Bad Request\r\n\r\n{\"ErrorCode\":400241}",
		"* Connected\n> GET / HTTP/2\n>\n< HTTP/2 503\n< retry-after: 5\n<\n{ [5 bytes data]\nBusy\n* left intact\n",
		"HTTP/1.1 409 Conflict\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
		"HTTP/1.1 409 Conflict\r\nContent-Encoding: gzip\r\nContent-Length: 3\r\n\r\n\x1f\x8b\x08",
		"HTTP/1.1 429 Too Many Requests\nRetry-After:\n 7\nno header\n\n",
		"HTTP/1.1 40",
		"HTTP/1.1 409 Conflict\r\nContent-Type: appl",
		tapkeyBody,
		"\x00\xff\xfe",
		"",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := readCapture(bytes.NewReader(data))
		if err != nil {
			if c != nil {
				t.Fatalf("an error with a capture: %v", err)
			}
			return
		}
		if c.raw && c.resp == nil {
			t.Fatal("raw HTTP without a head")
		}
		body, _ := io.ReadAll(io.LimitReader(c.body, int64(len(data))+1))
		if len(body) > len(data) && !isChunkedOrZipped(c) {
			t.Fatalf("the body (%d bytes) is longer than the input (%d)", len(body), len(data))
		}
		for _, api := range []string{"", "tapkey", "problem"} {
			d, err := decodeCapture(bytes.NewReader(data), api, 0)
			if err == nil && d.Retry == "" {
				t.Fatal("a decoded capture without a retry class")
			}
		}
	})
}

func isChunkedOrZipped(c *capture) bool {
	return c.resp != nil && (len(c.resp.TransferEncoding) > 0 || strings.EqualFold(c.resp.Header.Get("Content-Encoding"), "gzip"))
}
