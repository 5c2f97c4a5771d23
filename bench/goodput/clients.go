package goodput

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"

	"golang.org/x/oauth2/clientcredentials"
)

// Request is one call of a scenario.
type Request struct {
	Method string
	Path   string // relative to Server.URL, such as "items/7"
	Body   []byte // JSON, or nil
}

// Caller is one client under test, set up for one scenario's server. Call
// returns nil when the call ended in a 2xx whose JSON body decoded.
type Caller interface {
	Call(ctx context.Context, r Request) error
	Close()
}

// Setup is what a client is told about a scenario's server, as an
// integrator would be by the API's documentation.
type Setup struct {
	BaseURL string
	// Exos: error bodies are exos's, and 400241 (concurrency error) is
	// worth retrying.
	Exos bool
	// OAuth, when set: every request needs a token from this client
	// credentials grant.
	OAuth *clientcredentials.Config
}

// Client is a client under test: how it is built from a Setup.
type Client struct {
	// Name names it in tables, JSON and charts; OAuthName when it runs
	// with OAuth2 (the peers then wrap golang.org/x/oauth2).
	Name, OAuthName string
	New             func(Setup) (Caller, error)
}

// Label is the client's name for a setup.
func (c Client) Label(s Setup) string {
	if s.OAuth != nil && c.OAuthName != "" {
		return c.OAuthName
	}
	return c.Name
}

// Clients are apierr and its peers, in the order tables list them.
func Clients() []Client {
	return []Client{
		{Name: "apierr", New: newApierr},
		{Name: "go-retryablehttp", OAuthName: "go-retryablehttp + oauth2.Transport", New: newRetryable},
		{Name: "resty", OAuthName: "resty + oauth2 client", New: newResty},
	}
}

// exosConflictCode is the code both peers look for in an error body; an
// integrator who read the exos documentation writes it out.
const exosConflictCode = 400241

// isExosConflict reports whether an error body is exos's 400241.
func isExosConflict(body []byte) bool {
	var e struct{ ErrorCode int }
	return json.Unmarshal(body, &e) == nil && e.ErrorCode == exosConflictCode
}

// statusError is a peer's failed call: a non-2xx status it returned.
type statusError int

func (e statusError) Error() string {
	return "goodput: status " + strconv.Itoa(int(e)) + " " + http.StatusText(int(e))
}
