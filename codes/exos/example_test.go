package exos_test

import (
	"errors"
	"fmt"

	"github.com/accessapi/apierr/codes/exos"
)

// A decoded exos error carries the code as sent; errors.Is matches it
// against the generated constants.
func Example() {
	err := fmt.Errorf("update person: %w", exos.Code(400241))
	fmt.Println(errors.Is(err, exos.ConcurrencyError))
	fmt.Println(errors.Is(err, exos.UnknownAPIKeyOrIdentifier))
	// Output:
	// true
	// false
}

func ExampleCode_Info() {
	info := exos.MaximumFailedLoginsReached.Info()
	fmt.Println(info.Known, info.Status, info.Retry, info.Description)
	fmt.Println(exos.Code(123456).Info().Known)
	// Output:
	// true 429 backoff Number of maximum failed logins allowed is reached
	// false
}

func ExampleCode_Error() {
	fmt.Println(exos.UnknownAPIKeyOrIdentifier)
	fmt.Println(exos.Code(123456))
	// Output:
	// exos: 300008: Unknown API key or Identifier
	// exos: 123456
}

func ExampleAll() {
	all := exos.All()
	fmt.Println(len(all), all[0].String(), all[len(all)-1].String())
	// Output: 329 100000 405
}
