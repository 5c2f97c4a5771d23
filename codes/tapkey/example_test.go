package tapkey_test

import (
	"errors"
	"fmt"

	"github.com/accessapi/apierr/codes/tapkey"
)

// Tapkey's codes are strings; the constants are the codes themselves.
func Example() {
	err := fmt.Errorf("create grant: %w", tapkey.Code("Duplicate"))
	fmt.Println(errors.Is(err, tapkey.Duplicate))
	fmt.Println(err)
	// Output:
	// true
	// create grant: tapkey: Duplicate: Indicates an operation trying to create a duplicate grant per lock and user.
}

func ExampleCode_Info() {
	fmt.Println(tapkey.CardCapacityExceeded.Info().Known, tapkey.Code("BadRequest").Info().Known)
	// Output: true false
}
