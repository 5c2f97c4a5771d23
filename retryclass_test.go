package apierr_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/accessapi/apierr"
	"github.com/accessapi/apierr/codes"
	"github.com/accessapi/apierr/codes/entrecode"
	"github.com/accessapi/apierr/codes/exos"
	"github.com/accessapi/apierr/codes/tapkey"
)

func TestRetryClassOf(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want codes.RetryClass
	}{
		{"documented code wins over its status", &apierr.Problem[exos.Code]{Status: 500, Code: 400245}, codes.RetryNever},
		{"concurrency", &apierr.Problem[exos.Code]{Status: 400, Code: exos.ConcurrencyError}, codes.RetryConcurrency},
		{"entrecode family", &apierr.Problem[entrecode.Code]{Status: 429, Code: 1451}, codes.RetryBackoff},
		{"undocumented code falls back to status", &apierr.Problem[exos.Code]{Status: 503, Code: 123456}, codes.RetryTransient},
		{"no code, 429", &apierr.Problem[tapkey.Code]{Status: 429}, codes.RetryBackoff},
		{"no code, 408", &apierr.Problem[codes.Generic]{Status: 408}, codes.RetryTransient},
		{"no code, 400", &apierr.Problem[codes.Generic]{Status: 400}, codes.RetryNever},
		{"wrapped", fmt.Errorf("call: %w", &apierr.Problem[exos.Code]{Status: 502}), codes.RetryTransient},
		{"not a problem", errors.New("dial tcp: refused"), codes.RetryNever},
		{"nil", nil, codes.RetryNever},
	} {
		t.Run(tc.name, func(t *testing.T) { assert.Equal(t, tc.want, apierr.RetryClassOf(tc.err)) })
	}
}

// RetryClassOf says what the client does with an error: by the code when the
// catalogue documents it, else by the status.
func ExampleRetryClassOf() {
	fmt.Println(apierr.RetryClassOf(&apierr.Problem[exos.Code]{Status: 400, Code: exos.ConcurrencyError}))
	fmt.Println(apierr.RetryClassOf(&apierr.Problem[exos.Code]{Status: 500, Code: 400245})) // configuration, not an outage
	fmt.Println(apierr.RetryClassOf(&apierr.Problem[codes.Generic]{Status: 503}))
	// Output:
	// concurrency
	// never
	// transient
}
