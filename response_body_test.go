package apierr

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// FuzzDecodeInto: a 2xx body decodes into v exactly when it is one JSON
// value (whitespace around it) within the limit, and then v holds what
// json.Unmarshal gives; an empty body leaves v alone; every failure names
// the status and keeps a cause.
func FuzzDecodeInto(f *testing.F) {
	for _, b := range []string{`{"id":"a"}`, `{"id":"a"} {"id":"b"}`, `{"id":"a"}}`, `<html>`, "", "  \n", `[1,2,3]`,
		`"x"`, `{"id":"a"}garbage`, `{"id":`, "\ufeff{}", `null`, `1e400`} {
		f.Add([]byte(b), int64(16))
		f.Add([]byte(b), int64(1<<20))
	}
	f.Fuzz(func(t *testing.T, body []byte, limit int64) {
		if limit <= 0 || limit > 1<<20 {
			return
		}
		c := &Client{respLimit: limit}
		u, _ := url.Parse("https://api.example.test/v1/x")
		s := &callState{method: "GET", url: u}
		resp := &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
			Body: io.NopCloser(bytes.NewReader(body))}
		var got any
		err := c.decodeInto(s, resp, &got)

		trimmed := bytes.TrimLeft(body, " \t\r\n")
		switch {
		case len(trimmed) == 0 && int64(len(body)) <= limit:
			require.NoError(t, err)
			assert.Nil(t, got, "an empty body leaves v alone")
		case json.Valid(body) && int64(len(body)) <= limit:
			var want any
			if uerr := json.Unmarshal(body, &want); uerr != nil { // valid but not for v, such as 1e400
				require.Error(t, err)
				assert.Equal(t, uerr.Error(), errors.Unwrap(err).Error())
				return
			}
			require.NoError(t, err)
			assert.Equal(t, want, got)
		default:
			if err == nil {
				// Valid JSON is accepted only within the limit.
				require.True(t, json.Valid(body), "%q", body)
				return
			}
			assert.Contains(t, err.Error(), `apierr: 200 OK from GET https://api.example.test/v1/x (Content-Type "application/json")`)
			assert.NotNil(t, errors.Unwrap(err), "the cause is kept")
			if int64(len(body)) > limit && json.Valid(body) && !errors.Is(err, ErrResponseTooLarge) {
				t.Fatalf("a valid body over the limit: %v", err)
			}
		}
	})
}
