package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const tapkeyBody = `{"ErrorCode":"Duplicate","ErrorMessage":"only one grant allowed per lock and user/card"}`

func gzipped(t *testing.T, s string) string {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	_, err := zw.Write([]byte(s))
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return b.String()
}

// TestDecodeCaptures decodes raw HTTP in the shapes captures come in.
func TestDecodeCaptures(t *testing.T) {
	for _, tc := range []struct {
		name, in  string
		status    int
		api, code string
		requestID string
		body      int // body bytes after the client's read; -1: don't check
		note      string
	}{
		{name: "curl -i, CRLF", in: "HTTP/1.1 409 Conflict\r\nContent-Type: application/json\r\nX-Request-Id: a1\r\n\r\n" + tapkeyBody,
			status: 409, api: "tapkey", code: "Duplicate", requestID: "a1", body: len(tapkeyBody)},
		{name: "LF only", in: "HTTP/1.1 409 Conflict\nContent-Type: application/json\nX-Request-Id: a2\n\n" + tapkeyBody,
			status: 409, api: "tapkey", code: "Duplicate", requestID: "a2", body: len(tapkeyBody)},
		{name: "HTTP/2 without reason, lower-case headers", in: "HTTP/2 409\r\ncontent-type: application/json\r\nx-request-id: a3\r\n\r\n" + tapkeyBody,
			status: 409, api: "tapkey", code: "Duplicate", requestID: "a3", body: len(tapkeyBody)},
		{name: "HTTP/3", in: "HTTP/3 503\r\n\r\n", status: 503, api: "generic", body: 0},
		{name: "blank lines first", in: "\n\r\n  \nHTTP/1.1 404 Not Found\n\n{\"errorCode\":3001,\"message\":\"entity not found\"}",
			status: 404, api: "usta", code: "3001", body: -1},
		{name: "100 Continue first", in: "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\n\r\n{\"ErrorCode\":400241}",
			status: 400, api: "exos", code: "400241", body: -1},
		{name: "curl -v", in: "* Connected to api (127.0.0.1) port 443\n> PUT /api/v1/Owners/o1/Grants HTTP/2\n> Host: api\n>\n< HTTP/2 409\n< content-type: application/json\n< x-request-id: a4\n<\n" +
			"{ [89 bytes data]\n" + tapkeyBody + "\n* Connection #0 to host api left intact\n",
			status: 409, api: "tapkey", code: "Duplicate", requestID: "a4", body: len(tapkeyBody)},
		{name: "chunked as sent", in: "HTTP/1.1 409 Conflict\r\nTransfer-Encoding: chunked\r\n\r\n" + "10\r\n" + tapkeyBody[:16] + "\r\n" +
			strconv.FormatInt(int64(len(tapkeyBody)-16), 16) + "\r\n" + tapkeyBody[16:] + "\r\n0\r\n\r\n",
			status: 409, api: "tapkey", code: "Duplicate", body: len(tapkeyBody)},
		{name: "chunked, shown de-chunked", in: "HTTP/1.1 409 Conflict\r\nTransfer-Encoding: chunked\r\n\r\n" + tapkeyBody,
			status: 409, api: "tapkey", code: "Duplicate", body: len(tapkeyBody), note: "already de-chunked"},
		{name: "Content-Length cuts what follows", in: "HTTP/1.1 409 Conflict\r\nContent-Length: 89\r\n\r\n" + tapkeyBody + "\r\n2026-11-29 next log line",
			status: 409, api: "tapkey", code: "Duplicate", body: 89},
		{name: "gzip as sent", in: "HTTP/1.1 409 Conflict\r\nContent-Encoding: gzip\r\n\r\n" + gzipped(t, tapkeyBody),
			status: 409, api: "tapkey", code: "Duplicate", body: len(tapkeyBody)},
		{name: "gzip, shown gunzipped", in: "HTTP/1.1 409 Conflict\r\nContent-Encoding: gzip\r\n\r\n" + tapkeyBody,
			status: 409, api: "tapkey", code: "Duplicate", body: len(tapkeyBody), note: "already gunzipped"},
		{name: "folded and junk header lines", in: "HTTP/1.1 429 Too Many Requests\nRetry-After:\n 7\nthis is no header\nX-Request-Id: a5\n\n",
			status: 429, api: "generic", requestID: "a5", body: 0, note: "1 line(s) of the head are no header"},
		{name: "head cut short", in: "HTTP/1.1 409 Conflict\r\nContent-Type: appl",
			status: 409, api: "generic", body: 0, note: "ends inside the HTTP head"},
		{name: "html 502 from a proxy", in: "HTTP/1.1 502 Bad Gateway\r\nServer: nginx\r\nContent-Type: text/html\r\n\r\n<html><body><h1>502 Bad Gateway</h1></body></html>\r\n",
			status: 502, api: "generic", body: -1},
		{name: "a bare body", in: tapkeyBody, api: "tapkey", code: "Duplicate", body: len(tapkeyBody), note: "without --status"},
		{name: "a body that names its status", in: `{"status":401,"code":2410,"title":"Insufficient rights"}`,
			status: 401, api: "entrecode", code: "2410", body: -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := decodeCapture(strings.NewReader(tc.in), "", 0)
			require.NoError(t, err)
			assert.Equal(t, tc.status, d.Status)
			assert.Equal(t, tc.api, d.API)
			assert.Equal(t, tc.code, d.Code)
			assert.Equal(t, tc.requestID, d.RequestID)
			if tc.body >= 0 {
				assert.Equal(t, tc.body, d.BodyBytes)
			}
			if tc.note != "" {
				assert.Contains(t, strings.Join(d.Notes, "\n"), tc.note)
			}
		})
	}
}

func TestDecodeStatusFlag(t *testing.T) {
	d, err := decodeCapture(strings.NewReader("HTTP/1.1 400 Bad Request\r\n\r\n"+tapkeyBody), "", 409)
	require.NoError(t, err)
	assert.Equal(t, 409, d.Status)
	assert.Contains(t, d.Notes, "--status 409 replaces the captured 400")

	d, err = decodeCapture(strings.NewReader(tapkeyBody), "", 409)
	require.NoError(t, err)
	assert.Equal(t, 409, d.Status)
	assert.Empty(t, d.Notes)
}

func TestDecodeRetryAsTheClient(t *testing.T) {
	for _, tc := range []struct {
		name, in     string
		retry        string
		get, post    bool
		retryAfterMS int64
	}{
		{"concurrency", "HTTP/1.1 400 Bad Request\n\n{\"ErrorCode\":400241}", "concurrency", true, true, 0},
		{"configuration 500", "HTTP/1.1 500 Internal Server Error\n\n{\"ErrorCode\":400245}", "never", false, false, 0},
		{"unknown 503", "HTTP/1.1 503 Service Unavailable\nRetry-After: 7\n\n", "transient", true, false, 7000},
		{"429", "HTTP/1.1 429 Too Many Requests\nRetry-After: 2\n\n{}", "backoff", true, true, 2000},
		{"entrecode throttle", "HTTP/1.1 429 Too Many Requests\n\n{\"status\":429,\"code\":1451,\"title\":\"Too many wrong login attempts\"}", "backoff", true, true, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := decodeCapture(strings.NewReader(tc.in), "", 0)
			require.NoError(t, err)
			assert.Equal(t, tc.retry, d.Retry)
			assert.Equal(t, tc.get, d.RetriesGET)
			assert.Equal(t, tc.post, d.RetriesPOST)
			assert.Equal(t, tc.retryAfterMS, d.RetryAfterMS)
		})
	}
}

func TestDecodeJSONMembers(t *testing.T) {
	r := runWith(strings.NewReader("HTTP/1.1 409 Conflict\nX-Request-Id: q\nRetry-After: 3\n\n"+tapkeyBody), "decode", "--json")
	require.Equal(t, 0, r.code, r.stderr)
	var got []map[string]any
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &got))
	require.Len(t, got, 1)
	for member, want := range map[string]any{
		"api": "tapkey", "status": 409.0, "code": "Duplicate", "title": "only one grant allowed per lock and user/card",
		"detail": "", "user_message": "", "request_id": "q", "retry_after_ms": 3000.0, "retry": "never",
	} {
		assert.Equal(t, want, got[0][member], member)
	}
}

func TestReadCaptureErrors(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"empty", "", "the input is empty"},
		{"status cut short", "HTTP/1.1 40", "malformed HTTP status code \"40\""},
		{"status not a number", "HTTP/1.1 abc Conflict\n\n", "malformed HTTP status code"},
		{"head too long", "HTTP/1.1 409 Conflict\nX-Big: " + strings.Repeat("a", headLimit) + "\n\n", "the HTTP head is longer than 64 KiB"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := readCapture(strings.NewReader(tc.in))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			assert.Nil(t, c)
		})
	}
}

func TestReadCaptureEdges(t *testing.T) {
	c, err := readCapture(strings.NewReader("HTTP/1.1 100 Continue\n\n"))
	require.NoError(t, err)
	assert.Equal(t, 100, c.resp.StatusCode, "a lone 1xx head is all there is")

	c, err = readCapture(strings.NewReader("HTTP/x 409\n\n{}"))
	require.NoError(t, err)
	assert.False(t, c.raw, "no status line: a body")
	assert.Nil(t, c.resp)
}

// errReader fails after its data, as a broken pipe would.
type errReader struct{ data io.Reader }

func (e *errReader) Read(p []byte) (int, error) {
	n, err := e.data.Read(p)
	if err == io.EOF {
		return n, io.ErrClosedPipe
	}
	return n, err
}

func TestDecodeReadErrorKeepsWhatArrived(t *testing.T) {
	d, err := decodeCapture(&errReader{strings.NewReader("HTTP/1.1 409 Conflict\n\n" + tapkeyBody)}, "", 0)
	require.NoError(t, err)
	assert.Equal(t, "Duplicate", d.Code)
	assert.Contains(t, strings.Join(d.Notes, "\n"), "could not be read to its end")
}
