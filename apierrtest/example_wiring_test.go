package apierrtest_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/jarcoal/httpmock"

	"github.com/accessapi/apierr"
	"github.com/accessapi/apierr/apierrtest"
	"github.com/accessapi/apierr/codes/tapkey"
)

// grantAccess is the integrator's code under test: it creates a Tapkey
// grant and treats an existing one as done.
func grantAccess(ctx context.Context, c *apierr.Client, owner, lock, contact string) (string, error) {
	req, err := c.NewRequest(ctx, http.MethodPut, "Owners/"+owner+"/Grants",
		map[string]string{"boundLockId": lock, "contactId": contact})
	if err != nil {
		return "", err
	}
	switch _, err := c.Do(req, nil); {
	case errors.Is(err, tapkey.Duplicate):
		return "already granted", nil
	case err != nil:
		return "", err
	}
	return "granted", nil
}

// Wiring apierrtest into your own test: ClientOptions gives the base URL
// with the API's path, the decoder and the credentials in one line, and
// FastRetryPolicy with a Retry-After of milliseconds makes a "429, then
// 200" test take milliseconds instead of seconds. In a real test, use
// t.Cleanup(srv.Close) and testify instead of the prints.
func ExampleServer_ClientOptions() {
	srv := apierrtest.NewTapkey()
	defer srv.Close()
	client, err := apierr.New(srv.ClientOptions(apierr.WithRetryPolicy(apierrtest.FastRetryPolicy()))...)
	if err != nil {
		panic(err)
	}
	defer client.Close()
	ctx := context.Background()

	srv.Inject(1, apierrtest.TooManyRequests(time.Millisecond)) // sends Retry-After-Ms: 1
	start := time.Now()
	outcome, err := grantAccess(ctx, client, "o1", "bl-1", "c-42")
	fmt.Println(outcome, err, srv.Attempts("PUT /api/v1/Owners/o1/Grants"), "attempts")
	fmt.Println("waited less than a second:", time.Since(start) < time.Second) // milliseconds, in fact

	srv.Fail(tapkey.Duplicate, 1)
	outcome, err = grantAccess(ctx, client, "o1", "bl-1", "c-42")
	fmt.Println(outcome, err, srv.TokenRequests(), "token request")
	// Output:
	// granted <nil> 2 attempts
	// waited less than a second: true
	// already granted <nil> 1 token request
}

// For tests that stub the transport: a token endpoint that issues and
// checks tokens, with a protected resource behind it. After RevokeAll the
// client gets a new token and replays the call once.
func ExampleTokenEndpoint() {
	mock := httpmock.NewMockTransport()
	te := apierrtest.NewTokenEndpoint("https://auth.example.com/oauth/token", apierrtest.WithTokenLifetime(5*time.Minute))
	mock.RegisterResponder("POST", te.URL(), te.Responder())
	mock.RegisterResponder("GET", "https://api.example.com/v1/entities/1001",
		te.Protect(httpmock.NewStringResponder(200, `{"id":"1001"}`)))

	client, err := apierr.New(
		apierr.WithBaseURL("https://api.example.com/v1"),
		apierr.WithHTTPClient(&http.Client{Transport: mock}),
		apierr.WithClientCredentials(te.ClientCredentials()),
	)
	if err != nil {
		panic(err)
	}
	defer client.Close()
	for range 2 {
		req, err := client.NewRequest(context.Background(), "GET", "entities/1001", nil)
		if err != nil {
			panic(err)
		}
		var v struct{ ID string }
		_, err = client.Do(req, &v)
		fmt.Println(v.ID, err)
		te.RevokeAll()
	}
	fmt.Println(te.Requests(), "token requests,", mock.GetTotalCallCount(), "calls")
	// Output:
	// 1001 <nil>
	// 1001 <nil>
	// 2 token requests, 5 calls
}
