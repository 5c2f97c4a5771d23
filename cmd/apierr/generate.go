package main

//go:generate go run ../../codes/internal/gencodes -command -tables ../../codes/tables -out catalogue_gen.go

// curatedRow is what the tables say about a code beyond what codes.Info
// carries: the Go constant's name, and why its retry class and flags are
// what they are. catalogue_gen.go holds one per documented code, written
// positionally in this field order.
type curatedRow struct {
	api, code, name                     string
	retryWhy, appliedWhy, permissionWhy string
}

// curated is catalogue_gen.go's rows by API, each API's in table order.
var curated = byAPI(curatedRows)

func byAPI(rows []curatedRow) map[string][]curatedRow {
	m := make(map[string][]curatedRow)
	for _, r := range rows {
		m[r.api] = append(m[r.api], r)
	}
	return m
}
