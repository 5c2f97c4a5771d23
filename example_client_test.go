package apierr_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"time"

	"github.com/accessapi/apierr"
	"github.com/accessapi/apierr/codes/tapkey"
	"github.com/accessapi/apierr/decode"
)

// A permanent error comes back typed: errors.Is matches the code and the
// status, errors.As recovers the Problem with the decoder's code type.
func ExampleClient_Do() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusConflict)
		_, _ = io.WriteString(w, `{"ErrorCode":"Duplicate","ErrorMessage":"only one grant allowed per lock and user/card"}`)
	}))
	defer srv.Close()

	c, err := apierr.New(apierr.WithBaseURL(srv.URL+"/api/v1"), apierr.WithDecoder(decode.Tapkey))
	if err != nil {
		panic(err)
	}
	defer c.Close()

	req, err := c.NewRequest(context.Background(), "PUT", "Owners/o1/Grants", map[string]string{"lockId": "l1"})
	if err != nil {
		panic(err)
	}
	_, err = c.Do(req, nil)
	fmt.Println(errors.Is(err, tapkey.Duplicate), errors.Is(err, apierr.ErrConflict))
	var p *apierr.Problem[tapkey.Code]
	if errors.As(err, &p) {
		fmt.Println(p.Status, p.Code.String(), p.Title, p.Attempts)
	}
	// Output:
	// true true
	// 409 Duplicate only one grant allowed per lock and user/card 1
}

// A 503 is retried for a GET, and the JSON body of the success is decoded
// into v.
func ExampleClient_Do_retry() {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		_, _ = io.WriteString(w, `{"id":"lock-1","name":"Front door"}`)
	}))
	defer srv.Close()

	policy := apierr.DefaultRetryPolicy()
	policy.MinWait, policy.MaxWait = time.Millisecond, 10*time.Millisecond
	c, err := apierr.New(apierr.WithBaseURL(srv.URL), apierr.WithDecoder(decode.Auto), apierr.WithRetryPolicy(policy))
	if err != nil {
		panic(err)
	}
	defer c.Close()

	req, err := c.NewRequest(context.Background(), "GET", "locks/lock-1", nil)
	if err != nil {
		panic(err)
	}
	var lock struct{ ID, Name string }
	if _, err := c.Do(req, &lock); err != nil {
		panic(err)
	}
	fmt.Println(lock.Name, "after", calls.Load(), "attempts")
	// Output:
	// Front door after 2 attempts
}
