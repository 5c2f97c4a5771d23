package main

//go:generate go run ../../codes/internal/gencodes -command -tables ../../codes/tables -out catalogue_gen.go

// curatedRow is what the tables say about a code beyond what codes.Info
// carries: the Go constant's name, and why its retry class and flags are
// what they are (catalogue_gen.go holds one per documented code).
type curatedRow struct {
	code, name                          string
	retryWhy, appliedWhy, permissionWhy string
}
