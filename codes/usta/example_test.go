package usta_test

import (
	"errors"
	"fmt"

	"github.com/accessapi/apierr/codes/usta"
)

// A six-digit USTA code refines a four-digit one: errors.Is matches both.
func Example() {
	err := fmt.Errorf("save player: %w", usta.Code(200601))
	fmt.Println(errors.Is(err, usta.USPTANumberNotUnique), errors.Is(err, usta.EntitySavingError))
	// Output: true true
}

func ExampleCode_Info() {
	info := usta.Code(200699).Info() // not in the table, but a kind of 2006
	fmt.Println(info.Known, info.Description)
	fmt.Println(usta.EntityNotFound.Info().Status)
	// Output:
	// false Error occurred while saving the entity.
	// 404
}
