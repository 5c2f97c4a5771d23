package main

import (
	"strconv"
	"strings"

	"github.com/accessapi/apierr/codes"
	"github.com/accessapi/apierr/codes/entrecode"
	"github.com/accessapi/apierr/codes/exos"
	"github.com/accessapi/apierr/codes/tapkey"
	"github.com/accessapi/apierr/codes/usta"
)

// apiNames are the catalogues, in the order the command lists them.
var apiNames = []string{"exos", "entrecode", "usta", "tapkey"}

// catalogueCode is what every catalogue's Code offers.
type catalogueCode interface {
	String() string
	Info() codes.Info
}

// entry is one documented row: the code as the table writes it, with its
// Info from the codes package and the curated name and reasons.
type entry struct {
	api  string
	code catalogueCode
	curatedRow
}

// match is an entry that a query names, with how it names it.
type match struct {
	entry
	asked string // the code as asked, when it differs from the row's (2202 for row 202)
	note  string // how the query names the row: a family, a system, a stray row
	info  codes.Info
}

// catalogue lists every documented code of every API, in table order. It
// joins each codes package's All with catalogue_gen.go; the tests check
// that the two hold the same codes.
func catalogue() []entry {
	var out []entry
	add := func(api string, all []catalogueCode) {
		byCode := make(map[string]curatedRow, len(curated[api]))
		for _, r := range curated[api] {
			byCode[r.code] = r
		}
		for _, c := range all {
			out = append(out, entry{api: api, code: c, curatedRow: byCode[c.String()]})
		}
	}
	add("exos", codesOf(exos.All()))
	add("entrecode", codesOf(entrecode.All()))
	add("usta", codesOf(usta.All()))
	add("tapkey", codesOf(tapkey.All()))
	return out
}

func codesOf[C catalogueCode](all []C) []catalogueCode {
	out := make([]catalogueCode, len(all))
	for i, c := range all {
		out[i] = c
	}
	return out
}

// entrecodeSystems names entrecode's system digits.
var entrecodeSystems = map[int]string{1: "Account Server", 2: "Data Manager", 3: "App Manager"}

// lookup returns every row that query names, in api (all APIs when
// empty): a number is looked up in each API by that API's rules (an
// entrecode three-digit family or four-digit code, a USTA six-digit
// refinement), anything else as a constant name, case-insensitively.
func lookup(query, api string) []match {
	query = strings.TrimSpace(query)
	n, numErr := strconv.Atoi(query)
	isNumber := numErr == nil && n >= 0 && query != ""
	var out []match
	for _, e := range catalogue() {
		if api != "" && e.api != api {
			continue
		}
		if m, ok := names(e, query, n, isNumber); ok {
			out = append(out, m)
		}
	}
	return out
}

// names reports whether the query names e, and how.
func names(e entry, query string, n int, isNumber bool) (match, bool) {
	m := match{entry: e, info: e.code.Info()}
	if !isNumber {
		return m, strings.EqualFold(query, e.name) || strings.EqualFold(query, e.code.String())
	}
	switch e.api {
	case "exos":
		if exos.Code(n) != e.code {
			return m, false
		}
		if n == int(exos.MethodNotAllowed) {
			m.note = "a stray three-digit row in the exos table (exos codes have six digits)"
		}
		return m, true
	case "entrecode":
		row := e.code.(entrecode.Code)
		c := entrecode.Code(n)
		switch {
		case n < 1000 && c == row:
			m.note = "entrecode family x" + row.String() + ": matches " + familyMembers(row)
			return m, true
		case n >= 1000 && n < 10000 && c.Family() == row && entrecodeSystems[c.System()] != "":
			m.asked = query
			m.info = c.Info()
			m.note = "the " + entrecodeSystems[c.System()] + "'s " + row.String() + " (system " + strconv.Itoa(c.System()) + ", family x" + row.String() + ")"
			return m, true
		}
		return m, false
	case "usta":
		row := e.code.(usta.Code)
		c := usta.Code(n)
		switch {
		case c == row && row.Parent() != row:
			m.note = "refines " + row.Parent().String()
			return m, true
		case c == row:
			if kids := refinements(row); kids != "" {
				m.note = "refined by " + kids
			}
			return m, true
		case c.Parent() == row && c != row && !c.Info().Known:
			m.asked = query
			m.info = c.Info()
			m.note = "an undocumented refinement of " + row.String()
			return m, true
		}
		return m, false
	}
	return m, false // tapkey codes are names
}

func familyMembers(row entrecode.Code) string {
	var s []string
	for d := 1; d <= 3; d++ {
		s = append(s, strconv.Itoa(d*1000+int(row)))
	}
	return strings.Join(s, ", ")
}

// refinements lists the documented six-digit codes that refine a USTA code.
func refinements(parent usta.Code) string {
	var s []string
	for _, c := range usta.All() {
		if c != parent && c.Parent() == parent {
			s = append(s, c.String())
		}
	}
	return strings.Join(s, ", ")
}
