package apierr_test

import (
	"errors"
	"fmt"

	"github.com/accessapi/apierr"
	"github.com/accessapi/apierr/codes/tapkey"
)

// A *Problem matches its code's sentinel and its status sentinel, and
// errors.As recovers it with the decoder's code type.
func ExampleProblem() {
	var err error = &apierr.Problem[tapkey.Code]{
		Status: 409,
		Code:   tapkey.Code("Duplicate"),
		Title:  "only one grant allowed per lock and user/card",
		Method: "PUT",
		URL:    "https://my.tapkey.com/api/v1/Owners/o1/Grants",
	}
	err = fmt.Errorf("grant access: %w", err)

	fmt.Println(err)
	fmt.Println(errors.Is(err, tapkey.Code("Duplicate")), errors.Is(err, apierr.ErrConflict), errors.Is(err, apierr.ErrNotFound))

	var p *apierr.Problem[tapkey.Code]
	if errors.As(err, &p) {
		fmt.Println(p.Status, p.Code.String())
	}
	// Output:
	// grant access: tapkey: 409 Conflict: Duplicate: only one grant allowed per lock and user/card (PUT /api/v1/Owners/o1/Grants)
	// true true false
	// 409 Duplicate
}
