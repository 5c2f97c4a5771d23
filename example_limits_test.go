package apierr_test

import (
	"fmt"

	"github.com/accessapi/apierr"
)

// USTA documents at most 5 concurrent connections per IP: cap the requests
// in flight, and optionally pace them. A bad value is refused by New.
func ExampleWithMaxInFlight() {
	c, err := apierr.New(apierr.WithBaseURL("https://usta.example/api"),
		apierr.WithMaxInFlight(5), apierr.WithRateLimit(10, 5))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()

	_, err = apierr.New(apierr.WithBaseURL("https://usta.example/api"), apierr.WithMaxInFlight(0))
	fmt.Println(err)
	// Output: apierr: WithMaxInFlight: n must be at least 1
}

// The learned send rate is on by default; turn it off to keep only the
// gate, which still closes until the time a throttle asked for.
func ExampleWithAdaptiveRate() {
	c, err := apierr.New(apierr.WithBaseURL("https://api.example/v1"), apierr.WithAdaptiveRate(false))
	fmt.Println(err)
	c.Close()
	// Output: <nil>
}
