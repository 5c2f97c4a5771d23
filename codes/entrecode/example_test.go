package entrecode_test

import (
	"errors"
	"fmt"

	"github.com/accessapi/apierr/codes/entrecode"
)

// entrecode sends four digits, the system first; the constants are the
// three-digit families and match the code from every system.
func Example() {
	err := fmt.Errorf("list entries: %w", entrecode.Code(2202)) // Data Manager
	fmt.Println(errors.Is(err, entrecode.MissingPropertyInQueryString))
	fmt.Println(errors.Is(err, entrecode.Code(2202)), errors.Is(err, entrecode.Code(1202)))
	// Output:
	// true
	// true false
}

func ExampleCode_Info() {
	info := entrecode.Code(1451).Info() // Account Server
	fmt.Println(info.Status, info.Retry, info.Description)
	// Output: 429 backoff Too many wrong login attempts (on login, only 1451 is defined)
}

func ExampleCode_Family() {
	c := entrecode.Code(3000)
	fmt.Println(c.System(), c.Family().String(), c.Family() == entrecode.InternalError)
	// Output: 3 000 true
}
