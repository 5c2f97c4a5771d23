package apierrtest

import "time"

// Option configures a fake server.
type Option func(*config)

// config is what the options set.
type config struct {
	clientID, clientSecret string
	userName, password     string
	apiKey                 string
	lifetime               time.Duration
	now                    func() time.Time
	maxSessions            int
	logoutByIdentifier     bool
}

// The credentials a fake accepts unless options say otherwise.
const (
	DefaultClientID     = "apierrtest-client"
	DefaultClientSecret = "apierrtest-secret"
	DefaultUserName     = "apierrtest-user"
	DefaultPassword     = "apierrtest-password"
	DefaultAPIKey       = "apierrtest-api-key"
	DefaultLifetime     = time.Hour // of tokens and exos sessions
)

func defaultConfig() config {
	return config{
		clientID: DefaultClientID, clientSecret: DefaultClientSecret,
		userName: DefaultUserName, password: DefaultPassword,
		apiKey:   DefaultAPIKey,
		lifetime: DefaultLifetime,
		now:      time.Now,
	}
}

// WithOAuthClient sets the OAuth2 client the token endpoint accepts.
func WithOAuthClient(id, secret string) Option {
	return func(c *config) { c.clientID, c.clientSecret = id, secret }
}

// WithUser sets the exos user name and password that the login endpoints
// accept.
func WithUser(name, password string) Option {
	return func(c *config) { c.userName, c.password = name, password }
}

// WithAPIKey sets the exos API key that calls must send with the session
// identifier.
func WithAPIKey(key string) Option {
	return func(c *config) { c.apiKey = key }
}

// WithTokenLifetime sets how long access tokens and exos sessions live
// (default one hour). The token response's expires_in is at least 1.
func WithTokenLifetime(d time.Duration) Option {
	return func(c *config) {
		if d > 0 {
			c.lifetime = d
		}
	}
}

// WithClock sets the clock that token expiry is measured with, so that a
// test can expire tokens without sleeping.
func WithClock(now func() time.Time) Option {
	return func(c *config) {
		if now != nil {
			c.now = now
		}
	}
}

// WithMaxSessions makes the exos login answer 300007 (too many concurrent
// users) while n sessions are open; 0 means no limit.
func WithMaxSessions(n int) Option {
	return func(c *config) { c.maxSessions = max(n, 0) }
}

// WithLogoutByIdentifier makes logoutMyself end the session named by the
// identifier even when the call's API key is wrong. exos does not document
// which it does; by default the fake checks logoutMyself as it checks every
// call, so a client with a wrong API key cannot log out the sessions it
// opened and they stay open until they expire.
func WithLogoutByIdentifier() Option {
	return func(c *config) { c.logoutByIdentifier = true }
}
