package apierr

import (
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/accessapi/apierr/internal/boundedbody"
)

// Option configures a Client in New. An option given a bad value makes New
// fail with an error that names it.
type Option func(*config) error

// Defaults of a Client; New's doc comment lists them for integrators.
const (
	defaultMaxIdleConnsPerHost = 100
	defaultAccept              = "application/json"
)

// config collects the options before New validates them.
type config struct {
	auth authConfig // filled by the auth options in auth.go

	base           *url.URL
	decoder        Decoder
	httpClient     *http.Client
	policy         RetryPolicy
	budget         RetryBudget
	limits         limitsConfig
	log            *slog.Logger
	userAgent      string
	acceptLanguage string
	bodyLimit      int64
	respLimit      int64
	maxIdlePerHost int
	maxIdleSet     bool
	observer       Observer // nil: nothing is observed
	fleet          Fleet    // WithFleet; nil: this process alone
}

func defaultConfig() config {
	return config{
		decoder:        autoDecoder{},
		policy:         DefaultRetryPolicy(),
		budget:         DefaultRetryBudget(),
		userAgent:      "apierr/" + Version,
		bodyLimit:      boundedbody.DefaultLimit,
		respLimit:      defaultResponseBodyLimit,
		maxIdlePerHost: defaultMaxIdleConnsPerHost,
	}
}

// WithBaseURL sets the URL that paths are resolved against, such as
// "https://my.tapkey.com/api/v1". It is required. A trailing slash is added
// to its path when missing. Tokens are sent only to its origin (scheme,
// host and port).
//
// One rule resolves every path the client is given, in NewRequest and in
// ExosSession's LoginURL and LogoutURL: url.ResolveReference's (RFC 3986),
// as a browser resolves a link. With the base URL
// "https://exos.example/ExosApi/api/v1.1":
//
//	"persons/P-1"                  https://exos.example/ExosApi/api/v1.1/persons/P-1
//	"../v1.0/logins/logoutMyself"  https://exos.example/ExosApi/api/v1.0/logins/logoutMyself
//	"/ExosAuth/api/v1/login"       https://exos.example/ExosAuth/api/v1/login (a leading "/" starts at the host)
//	"https://other.example/x"      used as it is (it gets no token: another origin)
func WithBaseURL(u string) Option {
	return func(c *config) error {
		base, err := parseBaseURL(u)
		if err != nil {
			return err
		}
		c.base = base
		return nil
	}
}

func parseBaseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, errors.New("apierr: WithBaseURL: " + err.Error())
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, errors.New("apierr: WithBaseURL: scheme must be http or https: " + u.Redacted())
	case u.Host == "":
		return nil, errors.New("apierr: WithBaseURL: no host: " + u.Redacted())
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.HasSuffix(raw, "#"):
		return nil, errors.New("apierr: WithBaseURL: a base URL has no query or fragment: " + u.Redacted())
	}
	if !strings.HasSuffix(u.EscapedPath(), "/") { // "/a%2F" ends in a segment, not a slash
		u.Path += "/"
		if u.RawPath != "" {
			u.RawPath += "/"
		}
	}
	return u, nil
}

// WithDecoder sets how error bodies become typed errors, for example a
// vendor's decoder such as decode.Tapkey, which always gives that vendor's
// *Problem[C]. Without it the client decodes as decode.Auto does. The
// errors.As target must use the decoder's code type.
func WithDecoder(d Decoder) Option {
	return func(c *config) error {
		if d == nil {
			return errors.New("apierr: WithDecoder: nil decoder")
		}
		c.decoder = d
		return nil
	}
}

// WithHTTPClient sets the *http.Client that sends the requests. The client
// uses a copy, so c is never modified: the copy's transport is wrapped so
// that only Client.Close closes idle connections, and its CheckRedirect
// drops Authorization on a hop to another origin before calling c's own.
// A nil c.Transport means http.DefaultTransport.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *config) error {
		if hc == nil {
			return errors.New("apierr: WithHTTPClient: nil client")
		}
		c.httpClient = hc
		return nil
	}
}

// WithRetryPolicy sets how each request is retried; see RetryPolicy. Its
// zero fields take the defaults.
func WithRetryPolicy(p RetryPolicy) Option {
	return func(c *config) error {
		p = p.withDefaults()
		if err := p.validate(); err != nil {
			return err
		}
		c.policy = p
		return nil
	}
}

// WithRetryBudget sets the retry budget shared by the client's requests;
// RetryBudget{} turns it off. With a Capacity, the zero fields take the
// defaults. See RetryBudget.
func WithRetryBudget(b RetryBudget) Option {
	return func(c *config) error {
		b = b.withDefaults()
		if err := b.validate(); err != nil {
			return err
		}
		c.budget = b
		return nil
	}
}

// WithLogger logs attempts, waits and token refreshes at Debug level. URLs
// have their token-like query values redacted; headers are never logged. A
// nil logger turns logging off, which is the default.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		c.log = l
		return nil
	}
}

// WithAcceptLanguage sends tag, such as "de-AT" or "de, en;q=0.8", as
// Accept-Language on every request: Tapkey localises UserErrorMessage by it.
func WithAcceptLanguage(tag string) Option {
	return func(c *config) error {
		if err := checkHeaderValue("WithAcceptLanguage", tag); err != nil {
			return err
		}
		c.acceptLanguage = tag
		return nil
	}
}

// WithUserAgent replaces the User-Agent, "apierr/" + Version by default.
func WithUserAgent(ua string) Option {
	return func(c *config) error {
		if err := checkHeaderValue("WithUserAgent", ua); err != nil {
			return err
		}
		c.userAgent = ua
		return nil
	}
}

// WithErrorBodyLimit bounds how much of an error body is read and kept on
// the error (default 1 MiB); the rest is discarded.
func WithErrorBodyLimit(n int64) Option {
	return func(c *config) error {
		if n <= 0 {
			return errors.New("apierr: WithErrorBodyLimit: limit must be positive")
		}
		c.bodyLimit = n
		return nil
	}
}

// WithResponseBodyLimit bounds a 2xx body that Do decodes into v (default
// 32 MiB): a longer body makes Do fail with an error matching
// ErrResponseTooLarge, and nothing more of it is read. An io.Writer v gets
// the body whatever its size, for downloads.
func WithResponseBodyLimit(n int64) Option {
	return func(c *config) error {
		if n <= 0 {
			return errors.New("apierr: WithResponseBodyLimit: limit must be positive")
		}
		c.respLimit = n
		return nil
	}
}

// WithMaxIdleConnsPerHost sizes the connection pool of the transport the
// client builds when WithHTTPClient is not given (default 100; net/http's
// default of 2 makes concurrent callers open and close connections all the
// time). It cannot be combined with WithHTTPClient: size that client's
// transport instead.
func WithMaxIdleConnsPerHost(n int) Option {
	return func(c *config) error {
		if n <= 0 {
			return errors.New("apierr: WithMaxIdleConnsPerHost: must be positive")
		}
		c.maxIdlePerHost, c.maxIdleSet = n, true
		return nil
	}
}

// checkHeaderValue rejects what net/http would refuse to send.
func checkHeaderValue(option, v string) error {
	if strings.TrimSpace(v) == "" {
		return errors.New("apierr: " + option + ": empty value")
	}
	for i := 0; i < len(v); i++ {
		if b := v[i]; (b < ' ' && b != '\t') || b == 0x7f {
			return errors.New("apierr: " + option + ": control character in value")
		}
	}
	return nil
}
