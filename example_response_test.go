package apierr_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/accessapi/apierr"
)

// A 2xx body decoded into v is bounded: a longer one is an error naming the
// status, the URL and the Content-Type, which matches ErrResponseTooLarge.
// An io.Writer v gets the body whatever its size.
func ExampleWithResponseBodyLimit() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `["`+strings.Repeat("x", 100)+`"]`)
	}))
	defer srv.Close()
	c, err := apierr.New(apierr.WithBaseURL(srv.URL+"/api/v1"), apierr.WithResponseBodyLimit(64))
	if err != nil {
		panic(err)
	}
	defer c.Close()

	req, err := c.NewRequest(context.Background(), http.MethodGet, "Owners", nil)
	if err != nil {
		panic(err)
	}
	var owners []string
	_, err = c.Do(req, &owners)
	fmt.Println(errors.Is(err, apierr.ErrResponseTooLarge))
	fmt.Println(strings.Replace(err.Error(), srv.URL, "http://api.test", 1))

	var raw strings.Builder
	req, _ = c.NewRequest(context.Background(), http.MethodGet, "Owners", nil)
	_, err = c.Do(req, &raw)
	fmt.Println(err, raw.Len())
	// Output:
	// true
	// apierr: 200 OK from GET http://api.test/api/v1/Owners (Content-Type "application/json"): decoding the body: longer than 64 bytes (WithResponseBodyLimit)
	// <nil> 104
}

// NewRequest sends a prepared document as it is: an io.Reader, []byte or
// json.RawMessage is never re-encoded.
func ExampleClient_NewRequest_reader() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		fmt.Printf("%s %s %s %s\n", r.Method, r.URL.Path, r.Header.Get("Content-Type"), body)
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	c, err := apierr.New(apierr.WithBaseURL(srv.URL + "/api/v1"))
	if err != nil {
		panic(err)
	}
	defer c.Close()

	doc := strings.NewReader(`{"name": "Front door"}`) // read from a file, say
	req, err := c.NewRequest(context.Background(), http.MethodPut, "Locks/l1", doc)
	if err != nil {
		panic(err)
	}
	_, err = c.Do(req, nil)
	fmt.Println(err)
	// Output:
	// PUT /api/v1/Locks/l1 application/json {"name": "Front door"}
	// <nil>
}
