package apierrtest

import (
	"github.com/accessapi/apierr"
)

// BaseURL returns the URL a client's WithBaseURL takes: the server's URL with
// the API's path, so that NewRequest's relative paths reach the resources
// listed in the constructor's documentation:
//
//	Tapkey     http://127.0.0.1:41234/api/v1            "Owners/o1/Grants"
//	entrecode  http://127.0.0.1:41234/api               "dm1/person?_id=e1"
//	USTA       http://127.0.0.1:41234/v1                "entities/1001"
//	exos       http://127.0.0.1:41234/ExosApi/api/v1.1  "persons/P-1/assignAccessRight"
func (s *Server[C]) BaseURL() string { return s.URL() + s.api.basePath }

// Decoder returns the decoder for the fake's API (decode.Tapkey,
// decode.Entrecode, decode.USTA or decode.Exos), so that errors.As into
// *apierr.Problem[C] works with the fake's code type C.
func (s *Server[C]) Decoder() apierr.Decoder { return s.api.decoder }

// ExosSession returns the session configuration the exos fake accepts: the
// 4.3.3+ login at LoginURL, the logout at LogoutURL, and the fake's API key
// and user. Set Legacy and LoginURL = LegacyLoginURL() for the legacy
// login. On the OAuth2 fakes it is the zero ExosSession.
func (s *Server[C]) ExosSession() apierr.ExosSession {
	if !s.api.session {
		return apierr.ExosSession{}
	}
	return apierr.ExosSession{
		LoginURL:  s.LoginURL(),
		LogoutURL: s.LogoutURL(),
		APIKey:    s.cfg.apiKey,
		UserName:  s.cfg.userName,
		Password:  s.cfg.password,
	}
}

// AuthOption returns the option that authorises a client against the fake:
// WithClientCredentials with the fake's client and token endpoint (and the
// given scopes) on the OAuth2 fakes, WithExosSession(ExosSession()) on the
// exos fake, which ignores scopes.
func (s *Server[C]) AuthOption(scopes ...string) apierr.Option {
	if s.api.session {
		return apierr.WithExosSession(s.ExosSession())
	}
	return apierr.WithClientCredentials(s.ClientCredentials(scopes...))
}

// ClientOptions returns what a client needs to call the fake, followed by
// extra: WithBaseURL(BaseURL()), WithDecoder(Decoder()) and AuthOption().
// A client wired this way is one line:
//
//	client, err := apierr.New(srv.ClientOptions(apierr.WithRetryPolicy(apierrtest.FastRetryPolicy()))...)
//
// For another grant, such as WithRefreshToken(srv.OAuth2Config(),
// srv.MintToken()), build the list from BaseURL and Decoder instead: a
// client takes one auth option.
func (s *Server[C]) ClientOptions(extra ...apierr.Option) []apierr.Option {
	opts := make([]apierr.Option, 0, 3+len(extra))
	opts = append(opts,
		apierr.WithBaseURL(s.BaseURL()),
		apierr.WithDecoder(s.Decoder()),
		s.AuthOption(),
	)
	return append(opts, extra...)
}
