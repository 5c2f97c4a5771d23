package apierr_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/accessapi/apierr"
	"github.com/accessapi/apierr/apierrtest"
	"github.com/accessapi/apierr/decode"
)

// The client fetches a token once, and after the server revokes it,
// refreshes it once and replays the request. A token without the scope an
// endpoint needs ends in ErrInsufficientScope, without a refresh.
func ExampleWithClientCredentials() {
	srv := apierrtest.NewTapkey()
	defer srv.Close()
	c, err := apierr.New(
		apierr.WithBaseURL(srv.URL()+"/api/v1"),
		apierr.WithDecoder(decode.Tapkey),
		apierr.WithClientCredentials(srv.ClientCredentials("read:owners")),
	)
	if err != nil {
		panic(err)
	}
	defer c.Close()
	get := func() error {
		req, err := c.NewRequest(context.Background(), "GET", "Owners/o1/BoundLocks", nil)
		if err != nil {
			return err
		}
		_, err = c.Do(req, nil)
		return err
	}

	fmt.Println(get(), srv.TokenRequests())
	srv.RevokeAll()
	fmt.Println(get(), srv.TokenRequests())
	srv.Inject(1, apierrtest.InsufficientScope("write:grants"))
	err = get()
	fmt.Println(errors.Is(err, apierr.ErrInsufficientScope), errors.Is(err, apierr.ErrUnauthorized), srv.TokenRequests())
	var ae *apierr.AuthError
	if errors.As(err, &ae) {
		fmt.Println(ae.Scope)
	}
	// Output:
	// <nil> 1
	// <nil> 2
	// true true 2
	// write:grants
}

// An exos session logs in on first use, logs in again when exos answers
// 300008 (the session timed out), and logs out on Close.
func ExampleWithExosSession() {
	srv := apierrtest.NewExos()
	defer srv.Close()
	cr := srv.Credentials()
	c, err := apierr.New(
		apierr.WithBaseURL(srv.URL()+"/ExosApi/api/v1.0"),
		apierr.WithDecoder(decode.Exos),
		apierr.WithExosSession(apierr.ExosSession{
			LoginURL:  "/ExosAuth/api/v1/login", // 4.3.3+; resolved against the base URL
			LogoutURL: "/ExosApi/api/v1.0/logins/logoutMyself",
			APIKey:    cr.APIKey,
			UserName:  cr.UserName,
			Password:  cr.Password,
			TenantID:  1,
		}),
	)
	if err != nil {
		panic(err)
	}
	get := func() error {
		req, err := c.NewRequest(context.Background(), "GET", "persons", nil)
		if err != nil {
			return err
		}
		_, err = c.Do(req, nil)
		return err
	}

	fmt.Println(get(), srv.Logins())
	srv.RevokeAll()
	fmt.Println(get(), srv.Logins())
	fmt.Println(c.Close(), srv.Logouts())
	// Output:
	// <nil> 1
	// <nil> 2
	// <nil> 1
}
