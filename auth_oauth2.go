package apierr

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// oauthSource gets tokens with the refresh_token grant while it holds a
// refresh token, and falls back on the client credentials grant when the
// refresh token is refused or missing. Without client credentials a refused
// refresh token ends in ErrReauthRequired.
type oauthSource struct {
	grant   *clientcredentials.Config // nil: the grant cannot be started again
	refresh *oauth2.Config            // nil: no refresh_token grant
	rt      string                    // the current refresh token; only fetch touches it
	hc      *http.Client
	retry   endpointRetry
}

func (s *oauthSource) op() string { return "token" }

func (s *oauthSource) headerValue(tok *oauth2.Token) string {
	return tok.Type() + " " + tok.AccessToken
}

// renews: any 401 may be cured by a new token.
func (s *oauthSource) renews(error) bool { return true }

// end: an OAuth2 token needs no ending.
func (s *oauthSource) end(context.Context, *credential) error { return nil }

func (s *oauthSource) fetch(ctx context.Context) (*oauth2.Token, error) {
	ctx = context.WithValue(ctx, oauth2.HTTPClient, s.hc)
	var refused *AuthError
	if s.rt != "" && s.refresh != nil {
		tok, err := s.retry.do(ctx, s.attempt("refresh", func(ctx context.Context) (*oauth2.Token, error) {
			return s.refresh.TokenSource(ctx, &oauth2.Token{RefreshToken: s.rt}).Token()
		}))
		if err == nil {
			s.rt = tok.RefreshToken // rotated, or the same one when the server sent none
			return tok, nil
		}
		refused = asAuthError("refresh", err)
		if !refusedGrant(refused) {
			return nil, refused
		}
		s.rt = "" // spent: never send it again
	}
	if s.grant == nil {
		if refused == nil {
			return nil, &AuthError{Op: "refresh", msg: "no refresh token", kind: ErrReauthRequired}
		}
		e := *refused
		e.kind = ErrReauthRequired
		return nil, &e
	}
	tok, err := s.retry.do(ctx, s.attempt("token", s.grant.Token))
	if err != nil {
		return nil, err
	}
	if tok.RefreshToken != "" {
		s.rt = tok.RefreshToken
	}
	return tok, nil
}

// attempt adapts one token request to the retry loop.
func (s *oauthSource) attempt(op string, get func(context.Context) (*oauth2.Token, error)) attempt {
	return func(ctx context.Context) (*oauth2.Token, *AuthError, bool) {
		tok, err := get(ctx)
		if err == nil {
			return tok, nil, false
		}
		ae, again := tokenError(op, err, s.secrets())
		return nil, ae, again
	}
}

func (s *oauthSource) secrets() []string {
	sec := []string{s.rt}
	if s.grant != nil {
		sec = append(sec, s.grant.ClientSecret)
	}
	if s.refresh != nil {
		sec = append(sec, s.refresh.ClientSecret)
	}
	return sec
}

// refusedGrant reports whether the token endpoint refused the refresh
// token itself (RFC 6749 invalid_grant; some servers send a bare 400 or 401),
// as opposed to being unavailable.
func refusedGrant(e *AuthError) bool {
	switch e.Code {
	case "invalid_grant":
		return true
	case "":
		return e.Status == http.StatusBadRequest || e.Status == http.StatusUnauthorized
	}
	return false
}

// tokenError turns what golang.org/x/oauth2 returned into an *AuthError
// and says whether a new attempt may help. It never uses
// RetrieveError.Error, which quotes the response body.
func tokenError(op string, err error, secrets []string) (*AuthError, bool) {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		ae := &AuthError{
			Op:          op,
			Code:        scrubSecrets(re.ErrorCode, secrets),
			Description: scrubSecrets(re.ErrorDescription, secrets),
			URI:         scrubSecrets(re.ErrorURI, secrets),
		}
		if re.Response != nil {
			ae.Status = re.Response.StatusCode
			if d, ok := retryAfter(re.Response.Header, time.Now()); ok {
				ae.RetryAfter = d
			}
		}
		if ae.Status == 0 {
			ae.msg = "the token endpoint returned an error"
		}
		return ae, ae.Status == http.StatusTooManyRequests || ae.Status >= 500
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return &AuthError{Op: op, Err: err}, false
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return &AuthError{Op: op, Err: redactError(ue)}, true
	}
	return &AuthError{Op: op, Err: err}, false
}

// tokenSourceAdapter serves WithTokenSource: every fetch calls Token, which
// must get a new token; the cache decides when.
type tokenSourceAdapter struct{ ts oauth2.TokenSource }

func (s tokenSourceAdapter) op() string { return "token" }

func (s tokenSourceAdapter) headerValue(tok *oauth2.Token) string {
	return tok.Type() + " " + tok.AccessToken
}

func (s tokenSourceAdapter) renews(error) bool                      { return true }
func (s tokenSourceAdapter) end(context.Context, *credential) error { return nil }

// fetch bounds Token, which takes no context, by ctx: a source that hangs
// is abandoned (its goroutine ends when Token returns).
func (s tokenSourceAdapter) fetch(ctx context.Context) (*oauth2.Token, error) {
	type result struct {
		tok *oauth2.Token
		err error
	}
	ch := make(chan result, 1)
	go func() {
		tok, err := s.ts.Token()
		ch <- result{tok, err}
	}()
	select {
	case r := <-ch:
		if r.err != nil {
			ae, _ := tokenError("token", r.err, nil)
			return nil, ae
		}
		return r.tok, nil
	case <-ctx.Done():
		return nil, &AuthError{Op: "token", Err: ctx.Err()}
	}
}
