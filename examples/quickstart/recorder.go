package main

import (
	"net/http"
	"strconv"
	"sync"
)

// recorder is the transport under the client: it notes the status of each
// API attempt and counts token (or login) requests, so that the story tells
// what was actually sent.
type recorder struct {
	authURLs []string // token, login and logout endpoints, without query

	rt             http.RoundTripper
	mu             sync.Mutex
	statuses       []string // API attempts since the last take
	auth           int      // auth requests since the last take
	api, authTotal int      // totals
}

// newTransport returns a transport of our own, so that closing its idle
// connections affects nothing else.
func newTransport() http.RoundTripper { return http.DefaultTransport.(*http.Transport).Clone() }

func (r *recorder) wrap(rt http.RoundTripper) http.RoundTripper {
	r.rt = rt
	return r
}

// RoundTrip sends req and records it.
func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.rt.RoundTrip(req)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.isAuth(req) {
		r.auth++
		r.authTotal++
		return resp, err
	}
	status := "network error"
	if err == nil {
		status = strconv.Itoa(resp.StatusCode)
	}
	r.statuses = append(r.statuses, status)
	r.api++
	return resp, err
}

// CloseIdleConnections lets Client.Close close the connections.
func (r *recorder) CloseIdleConnections() {
	if c, ok := r.rt.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

func (r *recorder) isAuth(req *http.Request) bool {
	u := *req.URL
	u.RawQuery = ""
	for _, a := range r.authURLs {
		if u.String() == a {
			return true
		}
	}
	return false
}

// take returns the statuses of the API attempts and the number of auth
// requests since the last take.
func (r *recorder) take() (statuses []string, auth int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	statuses, auth = r.statuses, r.auth
	r.statuses, r.auth = nil, 0
	return statuses, auth
}

// totals returns all API attempts and auth requests.
func (r *recorder) totals() (api, auth int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.api, r.authTotal
}
