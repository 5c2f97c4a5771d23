package apierrtest_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/jarcoal/httpmock"

	"github.com/accessapi/apierr"
	"github.com/accessapi/apierr/apierrtest"
	"github.com/accessapi/apierr/codes/exos"
	"github.com/accessapi/apierr/codes/tapkey"
	"github.com/accessapi/apierr/decode"
)

// A test of your own retry handling: the fake exos API fails twice with a
// concurrency error, then answers; the counters tell what the client sent.
func Example() {
	srv := apierrtest.NewExos()
	defer srv.Close()
	cred := srv.Credentials()
	client, err := apierr.New(
		apierr.WithBaseURL(srv.BaseURL()),
		apierr.WithDecoder(decode.Exos),
		apierr.WithExosSession(apierr.ExosSession{
			LoginURL: srv.LegacyLoginURL(), Legacy: true, LogoutURL: srv.LogoutURL(),
			APIKey: cred.APIKey, UserName: cred.UserName, Password: cred.Password,
		}),
	)
	if err != nil {
		panic(err)
	}
	defer client.Close()

	srv.Fail(exos.ConcurrencyError, 2)
	req, err := client.NewRequest(context.Background(), "POST", "persons/P-1/assignAccessRight", map[string]string{"AccessRightId": "AR-1"})
	if err != nil {
		panic(err)
	}
	_, err = client.Do(req, nil)
	fmt.Println(err, srv.Requests(), srv.Logins())
	fmt.Println(len(srv.Bodies("/ExosApi/api/v1.1/persons/P-1/assignAccessRight")), "identical bodies sent")
	// Output:
	// <nil> 3 1
	// 3 identical bodies sent
}

// A scripted code is sent in the API's documented body shape, with the
// status the catalogue gives it; any HTTP client sees it.
func ExampleServer_Fail() {
	srv := apierrtest.NewTapkey()
	defer srv.Close()
	srv.Fail(tapkey.Duplicate, 1)

	req, _ := http.NewRequest("GET", srv.URL()+"/api/v1/Owners/o1/BoundLocks", nil)
	req.Header.Set("Authorization", "Bearer "+srv.MintToken().AccessToken)
	for range 2 {
		resp, err := srv.Client().Do(req)
		if err != nil {
			panic(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Println(resp.StatusCode, string(body))
	}
	// Output:
	// 409 {"ErrorCode":"Duplicate","ErrorMessage":"Indicates an operation trying to create a duplicate grant per lock and user.","ErrorDetails":"","UserErrorMessage":"This person already has access to this lock."}
	// 200 [{"id":"bl-1","title":"Main entrance"},{"id":"bl-2","title":"Bike shed"}]
}

// Injected faults are what gateways send: here a 429 with Retry-After,
// then an HTML 502 page.
func ExampleServer_Inject() {
	srv := apierrtest.NewUSTA()
	defer srv.Close()
	srv.Inject(1, apierrtest.TooManyRequests(2*time.Second))
	srv.Inject(1, apierrtest.BadGateway())

	req, _ := http.NewRequest("GET", srv.URL()+"/v1/entities/1001", nil)
	req.Header.Set("Authorization", "Bearer "+srv.MintToken().AccessToken)
	for range 3 {
		resp, err := srv.Client().Do(req)
		if err != nil {
			panic(err)
		}
		resp.Body.Close()
		fmt.Println(resp.StatusCode, resp.Header.Get("Retry-After"), resp.Header.Get("Content-Type"))
	}
	fmt.Println(srv.Requests(), "requests")
	// Output:
	// 429 2 application/json
	// 502  text/html
	// 200  application/json
	// 3 requests
}

// For tests that stub the transport instead of starting a server: the
// responder answers with the same body as the fake, localised by the
// request's Accept-Language.
func ExampleTapkeyResponder() {
	mock := httpmock.NewMockTransport()
	mock.RegisterResponder("PUT", "https://my.tapkey.com/api/v1/Owners/o1/Grants", apierrtest.TapkeyResponder(tapkey.Duplicate))

	client, err := apierr.New(
		apierr.WithBaseURL("https://my.tapkey.com/api/v1"),
		apierr.WithDecoder(decode.Tapkey),
		apierr.WithHTTPClient(&http.Client{Transport: mock}),
		apierr.WithAcceptLanguage("de"),
	)
	if err != nil {
		panic(err)
	}
	defer client.Close()
	req, err := client.NewRequest(context.Background(), "PUT", "Owners/o1/Grants", map[string]string{"boundLockId": "bl-1", "contactId": "c-42"})
	if err != nil {
		panic(err)
	}
	_, err = client.Do(req, nil)
	var p *apierr.Problem[tapkey.Code]
	if errors.As(err, &p) {
		fmt.Println(p.Status, p.Code.String(), p.UserMessage)
	}
	fmt.Println(errors.Is(err, tapkey.Duplicate), errors.Is(err, apierr.ErrConflict), mock.GetTotalCallCount())
	// Output:
	// 409 Duplicate Diese Person hat bereits Zugang zu diesem Schloss.
	// true true 1
}

// The Drop fault makes a responder fail as a closed connection does.
func ExampleExosResponder() {
	resp, err := apierrtest.ExosResponder(exos.UnknownError, apierrtest.Drop())(&http.Request{})
	fmt.Println(resp == nil, errors.Is(err, apierrtest.ErrDropped), errors.Is(err, io.ErrUnexpectedEOF))

	req, _ := http.NewRequest("GET", "https://exos.example/ExosApi/api/v1.0/persons", nil)
	resp, _ = apierrtest.ExosResponder(exos.PersonNotFound)(req)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Println(resp.StatusCode, string(body))
	// Output:
	// true true true
	// 404 {"ErrorCode":400001,"Message":"Person not found"}
}
