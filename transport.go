package apierr

import (
	"crypto/tls"
	"errors"
	"net/http"
	"net/url"
	"strings"
)

// poolShield wraps the client's transport so that the CloseIdleConnections
// retryablehttp calls whenever it gives up (attempts exhausted,
// cancellation) reaches nothing: under load that would drop every other
// goroutine's pooled connections. Only Client.Close closes them.
type poolShield struct {
	rt http.RoundTripper
}

// RoundTrip sends req and makes sure the response points back at it: the
// retry hooks find the call's state through resp.Request.
func (p *poolShield) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := p.rt.RoundTrip(req)
	if resp != nil && resp.Request == nil {
		resp.Request = req
	}
	return resp, err
}

// closeIdleConnections closes the wrapped transport's idle connections.
func (p *poolShield) closeIdleConnections() {
	if ci, ok := p.rt.(interface{ CloseIdleConnections() }); ok {
		ci.CloseIdleConnections()
	}
}

// newTransport clones http.DefaultTransport with a pool sized for
// concurrent callers and TLS 1.2 at least. When a program has replaced
// http.DefaultTransport (httpmock.Activate does), it is used as it is.
func newTransport(maxIdlePerHost int) http.RoundTripper {
	dt, ok := http.DefaultTransport.(*http.Transport)
	if !ok {
		return http.DefaultTransport
	}
	t := dt.Clone()
	t.MaxIdleConnsPerHost = maxIdlePerHost
	if t.MaxIdleConns != 0 && t.MaxIdleConns < maxIdlePerHost {
		t.MaxIdleConns = maxIdlePerHost
	}
	if t.TLSClientConfig == nil {
		t.TLSClientConfig = &tls.Config{}
	}
	if t.TLSClientConfig.MinVersion < tls.VersionTLS12 {
		t.TLSClientConfig.MinVersion = tls.VersionTLS12
	}
	return t
}

// maxRedirects is net/http's limit, kept when the caller sets no
// CheckRedirect of their own.
const maxRedirects = 10

// containRedirects returns a CheckRedirect that removes Authorization from
// a hop to an origin other than base's: net/http keeps it on a redirect to
// another port or scheme of the same host. next, the caller's own
// CheckRedirect, then decides as usual.
func containRedirects(base *url.URL, next func(*http.Request, []*http.Request) error) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		if !sameOrigin(req.URL, base) {
			req.Header.Del("Authorization")
		}
		if next != nil {
			return next(req, via)
		}
		if len(via) >= maxRedirects {
			return errors.New("apierr: stopped after 10 redirects")
		}
		return nil
	}
}

// sameOrigin compares scheme, host and port, with default ports filled in.
func sameOrigin(a, b *url.URL) bool {
	return a != nil && b != nil &&
		strings.EqualFold(a.Scheme, b.Scheme) &&
		strings.EqualFold(a.Hostname(), b.Hostname()) &&
		port(a) == port(b)
}

func port(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	switch strings.ToLower(u.Scheme) {
	case "http":
		return "80"
	case "https":
		return "443"
	}
	return ""
}
