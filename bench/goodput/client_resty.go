package goodput

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/go-resty/resty/v2"
)

// restyCaller is resty v2 with retries configured as its README shows:
// SetRetryCount(3) (waits of 100 ms–2 s, its defaults), a retry condition
// for 429 and 5xx (kept retrying network errors, which a condition would
// otherwise turn off), a RetryAfter callback that reads Retry-After
// seconds, a condition for exos 400241 when the API is exos, and, when the
// API wants tokens, the *http.Client of golang.org/x/oauth2's client
// credentials config. Its logger is silenced, as retryablehttp's is: it
// would print a line for every call that a cut or a deadline ends.
type restyCaller struct {
	c    *resty.Client
	base string
}

func newResty(s Setup) (Caller, error) {
	c := resty.New()
	if s.OAuth != nil {
		c = resty.NewWithClient(s.OAuth.Client(context.Background()))
	}
	c.SetLogger(quietLogger{}).
		SetRetryCount(3).
		SetRetryAfter(retryAfterSeconds).
		AddRetryCondition(func(r *resty.Response, err error) bool {
			return err != nil || r != nil && (r.StatusCode() == http.StatusTooManyRequests || r.StatusCode() >= 500)
		})
	if s.Exos {
		c.AddRetryCondition(func(r *resty.Response, err error) bool {
			return err == nil && r != nil && r.StatusCode() >= 400 && isExosConflict(r.Body())
		})
	}
	return restyCaller{c: c, base: s.BaseURL}, nil
}

// retryAfterSeconds reads a Retry-After in seconds; 0 lets resty back off.
func retryAfterSeconds(_ *resty.Client, r *resty.Response) (time.Duration, error) {
	if s, err := strconv.Atoi(r.Header().Get("Retry-After")); err == nil && s > 0 {
		return time.Duration(s) * time.Second, nil
	}
	return 0, nil
}

func (r restyCaller) Call(ctx context.Context, q Request) error {
	var v item
	req := r.c.R().SetContext(ctx).SetHeader("Accept", "application/json").SetResult(&v)
	if q.Body != nil {
		req.SetHeader("Content-Type", "application/json").SetBody(q.Body)
	}
	resp, err := req.Execute(q.Method, r.base+q.Path)
	if err != nil {
		return err
	}
	if resp.IsError() {
		return statusError(resp.StatusCode())
	}
	return nil
}

func (r restyCaller) Close() { r.c.GetClient().CloseIdleConnections() }

// quietLogger drops resty's log lines.
type quietLogger struct{}

func (quietLogger) Errorf(string, ...any) {}
func (quietLogger) Warnf(string, ...any)  {}
func (quietLogger) Debugf(string, ...any) {}
