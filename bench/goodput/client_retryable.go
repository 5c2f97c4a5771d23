package goodput

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"

	"github.com/hashicorp/go-retryablehttp"
	"golang.org/x/oauth2"
)

// retryableCaller is bare go-retryablehttp: NewClient's defaults (4
// retries, waits of 1–30 s, Retry-After honoured on 429 and 503), with what
// an integrator sets anyway: no per-request log line, a retry on exos
// 400241 when the API is exos, and oauth2.Transport over its transport when
// the API wants tokens.
type retryableCaller struct {
	c    *retryablehttp.Client
	base string
}

func newRetryable(s Setup) (Caller, error) {
	c := retryablehttp.NewClient()
	c.Logger = nil
	if s.Exos {
		c.CheckRetry = retryExosConflict
	}
	if s.OAuth != nil {
		c.HTTPClient.Transport = &oauth2.Transport{
			Source: s.OAuth.TokenSource(context.Background()),
			Base:   c.HTTPClient.Transport,
		}
	}
	return retryableCaller{c: c, base: s.BaseURL}, nil
}

// retryExosConflict is the default policy plus a retry on exos 400241,
// which comes with a 4xx status the default policy does not retry.
func retryExosConflict(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if retry, perr := retryablehttp.DefaultRetryPolicy(ctx, resp, err); retry || perr != nil || resp == nil {
		return retry, perr
	}
	if resp.StatusCode < 400 {
		return false, nil
	}
	body, rerr := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body)) // the caller reads it again when not retried
	return rerr == nil && isExosConflict(body), nil
}

func (r retryableCaller) Call(ctx context.Context, q Request) error {
	var body any
	if q.Body != nil {
		body = q.Body
	}
	req, err := retryablehttp.NewRequestWithContext(ctx, q.Method, r.base+q.Path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	if q.Body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := r.c.Do(req)
	if err != nil {
		return err
	}
	defer func() {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		_ = resp.Body.Close()
	}()
	if resp.StatusCode/100 != 2 {
		return statusError(resp.StatusCode)
	}
	var v item
	return json.NewDecoder(resp.Body).Decode(&v)
}

func (r retryableCaller) Close() { r.c.HTTPClient.CloseIdleConnections() }
