package apierr_test

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/accessapi/apierr"
	"github.com/accessapi/apierr/codes/exos"
	"github.com/accessapi/apierr/decode"
)

// logged is logging middleware around any call that may fail with an API
// error: it reads status, code and request ID without knowing the API.
func logged(name string, call func() error) error {
	err := call()
	var e apierr.APIError
	if errors.As(err, &e) {
		fmt.Printf("%s: status=%d code=%q request_id=%q\n", name, e.StatusCode(), e.ErrorCode(), e.Generic().RequestID)
	} else if err != nil {
		fmt.Printf("%s: %v\n", name, err)
	}
	return err
}

// response stands in for what a client received; decode.Auto turns it into
// a *Problem of whichever API sent it.
func response(status int, requestID, body string) func() error {
	return func() error {
		resp := &http.Response{StatusCode: status, Header: http.Header{"X-Request-Id": {requestID}}}
		return fmt.Errorf("call: %w", decode.Auto.Decode(resp, []byte(body)))
	}
}

// APIError in logging middleware: one errors.As, whatever the decoder and
// its code type.
func ExampleAPIError() {
	_ = logged("grant", response(409, "t-1", `{"ErrorCode":"Duplicate","ErrorMessage":"only one grant allowed per lock and user/card"}`))
	_ = logged("person", response(400, "x-2", `{"ErrorCode":400241,"Message":"Concurrency-Error"}`))
	_ = logged("gateway", response(502, "g-3", `<html><body>Bad Gateway</body></html>`))
	_ = logged("network", func() error { return errors.New("dial tcp: connection refused") })
	// Output:
	// grant: status=409 code="Duplicate" request_id="t-1"
	// person: status=400 code="400241" request_id="x-2"
	// gateway: status=502 code="" request_id="g-3"
	// network: dial tcp: connection refused
}

// blockPerson stands in for a client call that blocks a person in exos; the
// person was already blocked, and the client had retried once.
func blockPerson(personID string) error {
	return &apierr.Problem[exos.Code]{
		Status: 400, Code: exos.PersonAlreadyBlocked, Attempts: 2,
		Method: "PUT", URL: "https://exos.example/ExosApi/api/v1.1/persons/" + personID + "/block",
	}
}

// ensureBlocked makes sure the person is blocked: a refusal because the
// person already is counts as done.
func ensureBlocked(personID string) error {
	err := blockPerson(personID)
	if errors.Is(err, apierr.ErrAlreadyApplied) {
		var e apierr.APIError
		if errors.As(err, &e) && e.Generic().Attempts > 1 {
			// The earlier attempt most likely went through; its response was lost.
			fmt.Println("blocked, most likely by our own earlier attempt")
		} else {
			fmt.Println("was already blocked")
		}
		return nil
	}
	return err
}

// ErrAlreadyApplied in an ensure-style call.
func ExampleErrAlreadyApplied() {
	err := ensureBlocked("p-42")
	fmt.Println("error:", err)

	taken := &apierr.Problem[exos.Code]{Status: 400, Code: 400036} // "Personal number already in use": someone else's
	fmt.Println(strings.Contains(taken.Error(), "already"), errors.Is(taken, apierr.ErrAlreadyApplied))
	// Output:
	// blocked, most likely by our own earlier attempt
	// error: <nil>
	// true false
}
