package codes_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accessapi/apierr/codes"
	"github.com/accessapi/apierr/codes/entrecode"
	"github.com/accessapi/apierr/codes/exos"
	"github.com/accessapi/apierr/codes/tapkey"
	"github.com/accessapi/apierr/codes/usta"
	"github.com/accessapi/apierr/internal/gentable"
)

// code is what the four catalogue Code types have in common.
type code interface {
	error
	String() string
	API() string
	Info() codes.Info
}

// catalogue is one codes package, as data: the checks below are the same
// for all four, and per-API specifics (families) stay in each package.
type catalogue struct {
	api       string
	all       func() []code
	allIsCopy func() bool // scribbling on All's result leaves the next call intact
	parse     func(t *testing.T, s string) code
	as        func(err error) (code, bool) // errors.As into the package's Code
	names     map[string][2]code           // constant other packages use → the code it must be
	info      []infoCase
	retry     map[code]codes.RetryClass
	text      []textCase
	is        []isCase
	noAllocs  []code // codes whose Info must not allocate
}

type infoCase struct {
	code code
	want codes.Info
}

type textCase struct {
	code        code
	error, text string
}

type isCase struct {
	err, target code
	want        bool
}

// newCatalogue adapts a package's typed All to the shared shape.
func newCatalogue[C code](api string, all func() []C, junk C, parse func(string) (C, error)) catalogue {
	return catalogue{
		api: api,
		all: func() []code {
			var out []code
			for _, c := range all() {
				out = append(out, c)
			}
			return out
		},
		allIsCopy: func() bool {
			first := all()[0]
			a := all()
			a[0] = junk
			return code(all()[0]) == code(first)
		},
		as: func(err error) (code, bool) {
			var c C
			ok := errors.As(err, &c)
			return c, ok
		},
		parse: func(t *testing.T, s string) code {
			c, err := parse(s)
			require.NoError(t, err, s)
			return c
		},
	}
}

func intCode[C ~int](s string) (C, error) {
	n, err := strconv.Atoi(s)
	return C(n), err
}

func catalogues() []catalogue {
	ex := newCatalogue("exos", exos.All, 1, intCode[exos.Code])
	ex.names = map[string][2]code{
		"ConcurrencyError":                         {exos.ConcurrencyError, exos.Code(400241)},
		"UnknownAPIKeyOrIdentifier":                {exos.UnknownAPIKeyOrIdentifier, exos.Code(300008)},
		"MaximumConcurrentUsersReached":            {exos.MaximumConcurrentUsersReached, exos.Code(300007)},
		"MaximumFailedLoginsReached":               {exos.MaximumFailedLoginsReached, exos.Code(300016)},
		"UnknownError":                             {exos.UnknownError, exos.Code(999999)},
		"MethodNotAllowed":                         {exos.MethodNotAllowed, exos.Code(405)},
		"CommandNotDefinedForPassagewayType":       {exos.CommandNotDefinedForPassagewayType, exos.Code(400218)},
		"CommandNotDefinedForPassagewayType400220": {exos.CommandNotDefinedForPassagewayType400220, exos.Code(400220)},
		"PersonAlreadyBlocked":                     {exos.PersonAlreadyBlocked, exos.Code(400026)},
		"AccessRightAlreadyAssigned":               {exos.AccessRightAlreadyAssigned, exos.Code(400011)},
	}
	ex.info = []infoCase{
		{exos.Code(300008), codes.Info{Known: true, Status: 401, Description: "Unknown API key or Identifier", Retry: codes.RetryNever}},
		{exos.Code(405), codes.Info{Known: true, Status: 400, Description: "Method not allowed. Using POST instead of GET might be a cause for it", Retry: codes.RetryNever}},
		{exos.Code(400173), codes.Info{Known: true, Status: 405, Description: "The locker group was not found", Retry: codes.RetryNever}},
		{exos.Code(400026), codes.Info{Known: true, Status: 400, Description: "Person already blocked", Applied: true}},
		{exos.Code(400011), codes.Info{Known: true, Status: 400, Description: "Access right already assigned", Applied: true}},
		{exos.Code(400036), codes.Info{Known: true, Status: 400, Description: "Personal number already in use"}},
		{exos.Code(300010), codes.Info{Known: true, Status: 401, Description: "User has no authorization", Permission: true}},
		{exos.Code(400006), codes.Info{}}, // a gap in the table
		{exos.Code(123456), codes.Info{}},
		{exos.Code(0), codes.Info{}},
		{exos.Code(-1), codes.Info{}},
	}
	ex.retry = map[code]codes.RetryClass{
		exos.Code(300016): codes.RetryBackoff,     // 429 and a locked login
		exos.Code(400241): codes.RetryConcurrency, // data changed meanwhile
		exos.Code(999999): codes.RetryTransient,   // unknown server failure
		exos.Code(400245): codes.RetryNever,       // the 500s that are configuration errors
		exos.Code(400246): codes.RetryNever,
		exos.Code(400247): codes.RetryNever,
		exos.Code(400248): codes.RetryNever,
		exos.Code(400254): codes.RetryNever,
		exos.Code(400255): codes.RetryNever,
		exos.Code(400257): codes.RetryNever,
		exos.Code(500000): codes.RetryTransient, // broker outage
		exos.Code(500001): codes.RetryTransient,
		exos.Code(400152): codes.RetryTransient, // mobile access service down
		exos.Code(400242): codes.RetryBackoff,   // import still running
		exos.Code(300007): codes.RetryNever,     // too many sessions
		exos.Code(300008): codes.RetryNever,     // log in again: auth's job, not a retry
		exos.Code(100000): codes.RetryNever,
		exos.Code(400000): codes.RetryNever,
	}
	ex.text = []textCase{
		{exos.UnknownAPIKeyOrIdentifier, "exos: 300008: Unknown API key or Identifier", "300008"},
		{exos.Code(123456), "exos: 123456", "123456"},
		{exos.ConcurrencyError, "exos: 400241: Concurrency-Error. The action you tried to execute probably relied on data that has been changed", "400241"},
		{exos.MethodNotAllowed, "exos: 405: Method not allowed. Using POST instead of GET might be a cause for it", "405"},
	}
	ex.is = []isCase{
		{exos.Code(400241), exos.ConcurrencyError, true},
		{exos.Code(400241), exos.UnknownError, false},
		// codes that share a description are still different codes
		{exos.CommandNotDefinedForPassagewayType, exos.CommandNotDefinedForPassagewayType400220, false},
	}
	ex.noAllocs = []code{exos.ConcurrencyError, exos.MethodNotAllowed, exos.Code(123456)}

	ec := newCatalogue("entrecode", entrecode.All, 999, intCode[entrecode.Code])
	ec.names = map[string][2]code{
		"InternalError":                         {entrecode.InternalError, entrecode.Code(0)},
		"ResourceNotFound":                      {entrecode.ResourceNotFound, entrecode.Code(100)},
		"MissingPropertyInQueryString":          {entrecode.MissingPropertyInQueryString, entrecode.Code(202)},
		"InvalidAccessToken":                    {entrecode.InvalidAccessToken, entrecode.Code(401)},
		"OutdatedAccessToken":                   {entrecode.OutdatedAccessToken, entrecode.Code(402)},
		"TooManyWrongLoginAttempts":             {entrecode.TooManyWrongLoginAttempts, entrecode.Code(451)},
		"ParallelRequestAddedTags":              {entrecode.ParallelRequestAddedTags, entrecode.Code(373)},
		"CannotExportRequiredFieldNoDefault":    {entrecode.CannotExportRequiredFieldNoDefault, entrecode.Code(374)},
		"CannotExportRequiredFieldNoDefault376": {entrecode.CannotExportRequiredFieldNoDefault376, entrecode.Code(376)},
	}
	ec.info = []infoCase{
		{entrecode.Code(1451), codes.Info{Known: true, Status: 429, Description: "Too many wrong login attempts (on login, only 1451 is defined)", Retry: codes.RetryBackoff}},
		{entrecode.Code(2410), codes.Info{Known: true, Status: 401, Description: "Insufficient rights to access the requested resource", Permission: true}},
		{entrecode.Code(401), codes.Info{Known: true, Status: 401, Description: "Invalid Access Token"}},
		{entrecode.Code(2999), codes.Info{}},  // undocumented
		{entrecode.Code(999), codes.Info{}},   // undocumented
		{entrecode.Code(12202), codes.Info{}}, // five digits
	}
	ec.retry = map[code]codes.RetryClass{
		entrecode.Code(451):  codes.RetryBackoff,
		entrecode.Code(1451): codes.RetryBackoff,
		entrecode.Code(373):  codes.RetryConcurrency,
		entrecode.Code(2373): codes.RetryConcurrency,
		entrecode.Code(0):    codes.RetryTransient,
		entrecode.Code(2000): codes.RetryTransient,
		entrecode.Code(150):  codes.RetryNever,
		entrecode.Code(401):  codes.RetryNever,
		entrecode.Code(202):  codes.RetryNever,
	}
	ec.text = []textCase{
		{entrecode.Code(2202), "entrecode: 2202: Missing property in query string", "2202"},
		{entrecode.InternalError, "entrecode: 000: Internal Error. No further information disclosured to client.", "000"},
		{entrecode.Code(2999), "entrecode: 2999", "2999"},
	}
	ec.is = []isCase{
		{entrecode.Code(373), entrecode.ParallelRequestAddedTags, true},
		{entrecode.Code(373), entrecode.InternalError, false},
	}
	ec.noAllocs = []code{entrecode.Code(2202), entrecode.InternalError, entrecode.Code(1451), entrecode.Code(2999)}

	us := newCatalogue("usta", usta.All, 1, intCode[usta.Code])
	us.names = map[string][2]code{
		"EntitySavingError":          {usta.EntitySavingError, usta.Code(2006)},
		"USPTANumberNotUnique":       {usta.USPTANumberNotUnique, usta.Code(200601)},
		"PTRNumberNotUnique":         {usta.PTRNumberNotUnique, usta.Code(200602)},
		"EntityNotFound":             {usta.EntityNotFound, usta.Code(3001)},
		"ValidationError":            {usta.ValidationError, usta.Code(5000)},
		"AuthenticationTokenInvalid": {usta.AuthenticationTokenInvalid, usta.Code(4003)},
		"UnexpectedSystemError":      {usta.UnexpectedSystemError, usta.Code(9001)},
	}
	us.info = []infoCase{
		{usta.EntitySavingError, codes.Info{Known: true, Description: "Error occurred while saving the entity."}},
		{usta.USPTANumberNotUnique, codes.Info{Known: true, Description: "Error occurred while saving the entity. USPTA number must be unique."}},
		{usta.EntityNotFound, codes.Info{Known: true, Status: 404, Description: "Entity was not found."}},
		{usta.Code(4006), codes.Info{Known: true, Description: "Access is denied.", Permission: true}},
		{usta.Code(3002), codes.Info{Known: true, Description: "Same entity already exists and cannot be created."}},
		{usta.Code(7000), codes.Info{}},
		{usta.Code(700001), codes.Info{}},
	}
	us.retry = map[code]codes.RetryClass{
		usta.Code(9001):   codes.RetryTransient,
		usta.Code(900101): codes.RetryTransient, // an undocumented refinement keeps its parent's class
		usta.Code(9002):   codes.RetryNever,
		usta.Code(9003):   codes.RetryNever,
		usta.Code(4005):   codes.RetryNever,
		usta.Code(3001):   codes.RetryNever,
		usta.Code(5000):   codes.RetryNever,
	}
	us.text = []textCase{
		{usta.EntityNotFound, "usta: 3001: Entity was not found.", "3001"},
		{usta.Code(200699), "usta: 200699: Error occurred while saving the entity.", "200699"},
		{usta.Code(7000), "usta: 7000", "7000"},
		{usta.USPTANumberNotUnique, "usta: 200601: Error occurred while saving the entity. USPTA number must be unique.", "200601"},
	}
	us.is = []isCase{
		{usta.Code(3001), usta.EntityNotFound, true},
		{usta.Code(3001), usta.ValidationError, false},
	}
	us.noAllocs = []code{usta.Code(3001), usta.Code(200601), usta.Code(200699), usta.Code(7000)}

	tk := newCatalogue("tapkey", tapkey.All, "x", func(s string) (tapkey.Code, error) { return tapkey.Code(s), nil })
	tk.names = map[string][2]code{
		"Duplicate":                    {tapkey.Duplicate, tapkey.Code("Duplicate")},
		"EmailNotVerified":             {tapkey.EmailNotVerified, tapkey.Code("EmailNotVerified")},
		"TimeRestrictionIcalMalformed": {tapkey.TimeRestrictionIcalMalformed, tapkey.Code("TimeRestrictionIcalMalformed")},
	}
	tk.info = []infoCase{
		// not Applied: the existing grant may differ from the one requested
		{tapkey.Duplicate, codes.Info{Known: true, Description: "Indicates an operation trying to create a duplicate grant per lock and user."}},
	}
	for _, notACode := range []tapkey.Code{"BadRequest", "NotFound", "InternalServerError", "duplicate", ""} {
		tk.info = append(tk.info, infoCase{notACode, codes.Info{}})
	}
	tk.retry = map[code]codes.RetryClass{tapkey.Duplicate: codes.RetryNever, tapkey.Generic: codes.RetryNever}
	tk.text = []textCase{
		{tapkey.Duplicate, "tapkey: Duplicate: Indicates an operation trying to create a duplicate grant per lock and user.", "Duplicate"},
		{tapkey.Code("SomethingNew"), "tapkey: SomethingNew", "SomethingNew"},
	}
	tk.is = []isCase{
		{tapkey.Code("Duplicate"), tapkey.Duplicate, true},
		{tapkey.Code("Duplicate"), tapkey.Generic, false},
	}
	tk.noAllocs = []code{tapkey.Duplicate, tapkey.EmailChangeNotSupported, tapkey.Code("Unknown")}

	return []catalogue{ex, ec, us, tk}
}

// flagged reads a flag file of codes/tables: the codes of api it lists.
func flagged(t *testing.T, file, api string) map[string]bool {
	t.Helper()
	f, err := os.Open(filepath.Join("tables", file))
	require.NoError(t, err)
	defer f.Close()
	entries, err := gentable.ReadOverrides(f, "")
	require.NoError(t, err)
	out := map[string]bool{}
	for _, e := range entries {
		if e.API == api {
			out[e.Code] = true
		}
	}
	return out
}

func TestCatalogues(t *testing.T) {
	for _, cat := range catalogues() {
		t.Run(cat.api, func(t *testing.T) {
			t.Run("All follows the table", func(t *testing.T) {
				tb, err := gentable.ReadTableFile(filepath.Join("tables", cat.api+".tsv"))
				require.NoError(t, err)
				applied, permission := flagged(t, "applied.tsv", cat.api), flagged(t, "permission.tsv", cat.api)
				all := cat.all()
				require.Len(t, all, len(tb.Rows))
				for i, r := range tb.Rows {
					assert.Equal(t, cat.parse(t, r.Code), all[i], "row %d", i)
					assert.Equal(t, r.Code, all[i].String(), "the code as the vendor writes it")
					assert.Equal(t, cat.api, all[i].API())
					info := all[i].Info()
					assert.True(t, info.Known, r.Code)
					assert.Equal(t, r.Status, info.Status, r.Code)
					assert.Equal(t, r.Description, info.Description, r.Code)
					assert.Equal(t, applied[r.Code], info.Applied, "%s: Applied as applied.tsv says", r.Code)
					assert.Equal(t, permission[r.Code], info.Permission, "%s: Permission as permission.tsv says", r.Code)
				}
			})
			t.Run("All returns a copy", func(t *testing.T) { assert.True(t, cat.allIsCopy()) })
			for name, c := range cat.names {
				t.Run("name "+name, func(t *testing.T) { assert.Equal(t, c[1], c[0]) })
			}
			for _, tc := range cat.info {
				t.Run("Info "+tc.code.String(), func(t *testing.T) { assert.Equal(t, tc.want, tc.code.Info()) })
			}
			for c, want := range cat.retry {
				t.Run("Retry "+c.String(), func(t *testing.T) { assert.Equal(t, want, c.Info().Retry) })
			}
			for _, tc := range cat.text {
				t.Run("Error "+tc.text, func(t *testing.T) {
					assert.Equal(t, tc.error, tc.code.Error())
					assert.Equal(t, tc.text, tc.code.String())
				})
			}
			for _, tc := range cat.is {
				t.Run(fmt.Sprintf("Is %v in %v", tc.err.String(), tc.target.String()), func(t *testing.T) {
					err := fmt.Errorf("wrapped: %w", tc.err)
					assert.Equal(t, tc.want, errors.Is(err, tc.target))
					got, ok := cat.as(err)
					require.True(t, ok, "errors.As finds the code")
					assert.Equal(t, tc.err, got)
				})
			}
			t.Run("Info does not allocate", func(t *testing.T) {
				require.NotEmpty(t, cat.noAllocs)
				var sink codes.Info
				allocs := testing.AllocsPerRun(100, func() {
					for _, c := range cat.noAllocs {
						sink = c.Info()
					}
				})
				_ = sink
				assert.Zero(t, allocs)
			})
		})
	}
}
