package apierr_test

import (
	"context"
	"fmt"
	"time"

	"github.com/accessapi/apierr"
	"github.com/accessapi/apierr/apierrtest"
	"github.com/accessapi/apierr/codes/exos"
	"github.com/accessapi/apierr/decode"
)

// attemptPrinter is an observer of one's own: NopObserver supplies the
// events it does not care about.
type attemptPrinter struct{ apierr.NopObserver }

func (attemptPrinter) AuthEnd(_ context.Context, e apierr.AuthEndEvent) {
	fmt.Printf("%s (%s): %s\n", e.Op, e.Reason, e.Outcome)
}

func (attemptPrinter) AttemptEnd(_ context.Context, e apierr.AttemptEndEvent) {
	fmt.Printf("attempt %d: %d %s retry=%t\n", e.Attempt, e.Status, e.Code, e.Retry)
}

func (attemptPrinter) Wait(_ context.Context, e apierr.WaitEvent) {
	fmt.Printf("wait (%s) before attempt %d\n", e.Reason, e.Attempt)
}

// The exos API refuses a write twice with its concurrency error; the
// observer hears of the login, each attempt and each pause.
func ExampleWithObserver() {
	srv := apierrtest.NewExos()
	defer srv.Close()
	cred := srv.Credentials()
	client, err := apierr.New(
		apierr.WithBaseURL(srv.URL()+"/ExosApi/api/v1.1"),
		apierr.WithDecoder(decode.Exos),
		apierr.WithExosSession(apierr.ExosSession{
			LoginURL: srv.LoginURL(), APIKey: cred.APIKey, UserName: cred.UserName, Password: cred.Password,
		}),
		apierr.WithRetryPolicy(apierr.RetryPolicy{MaxAttempts: 4, MinWait: time.Millisecond,
			MaxWait: 5 * time.Millisecond, MaxRetryAfter: time.Second}),
		apierr.WithObserver(attemptPrinter{}),
	)
	if err != nil {
		panic(err)
	}
	defer client.Close()

	srv.Fail(exos.ConcurrencyError, 2)
	req, err := client.NewRequest(context.Background(), "POST", "persons/P-1/assignAccessRight",
		map[string]string{"AccessRightId": "AR-1"})
	if err != nil {
		panic(err)
	}
	if _, err := client.Do(req, nil); err != nil {
		panic(err)
	}
	// Output:
	// login (first): ok
	// attempt 1: 400 400241 retry=true
	// wait (concurrency) before attempt 2
	// attempt 2: 400 400241 retry=true
	// wait (concurrency) before attempt 3
	// attempt 3: 200  retry=false
}
