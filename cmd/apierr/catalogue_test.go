package main

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accessapi/apierr/codes"
	"github.com/accessapi/apierr/codes/entrecode"
	"github.com/accessapi/apierr/codes/exos"
	"github.com/accessapi/apierr/codes/tapkey"
	"github.com/accessapi/apierr/codes/usta"
)

// allCodes lists every code of every codes package, straight from All.
func allCodes() map[string][]catalogueCode {
	return map[string][]catalogueCode{
		"exos": codesOf(exos.All()), "entrecode": codesOf(entrecode.All()),
		"usta": codesOf(usta.All()), "tapkey": codesOf(tapkey.All()),
	}
}

// The generated names and reasons cover exactly the codes the packages
// document, in the same order.
func TestCuratedRowsFollowThePackages(t *testing.T) {
	require.ElementsMatch(t, apiNames, keys(curated))
	for api, all := range allCodes() {
		rows := curated[api]
		require.Len(t, rows, len(all), api)
		for i, c := range all {
			assert.Equal(t, c.String(), rows[i].code, "%s row %d", api, i)
			info := c.Info()
			assert.Equal(t, info.Applied, rows[i].appliedWhy != "", "%s %s: Applied and its reason", api, c)
			assert.Equal(t, info.Permission, rows[i].permissionWhy != "", "%s %s: Permission and its reason", api, c)
		}
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// Every code of every catalogue comes back from explain --json with what
// its package says about it.
func TestEveryCodeRoundTripsThroughExplainJSON(t *testing.T) {
	n := 0
	for api, all := range allCodes() {
		for i, c := range all {
			r := runWith(nil, "explain", "--api", api, "--json", c.String())
			require.Equal(t, 0, r.code, "%s %s: %s", api, c, r.stderr)
			var raw []map[string]any
			require.NoError(t, json.Unmarshal([]byte(r.stdout), &raw))
			for _, member := range []string{"api", "code", "name", "status", "description", "retry"} {
				for _, row := range raw {
					assert.Contains(t, row, member, "the contract's --json members")
				}
			}
			var rows []rowJSON
			require.NoError(t, json.Unmarshal([]byte(r.stdout), &rows))
			var got *rowJSON
			for j := range rows {
				if rows[j].API == api && rows[j].Code == c.String() {
					got = &rows[j]
				}
			}
			require.NotNil(t, got, "%s %s is not among explain's rows: %s", api, c, r.stdout)
			info := c.Info()
			assert.Equal(t, rowJSON{
				API: api, Code: c.String(), Name: curated[api][i].name, Status: info.Status, Description: info.Description,
				Retry: info.Retry.String(), RetryWhy: got.RetryWhy, RetriesGET: info.Retry != codes.RetryNever,
				RetriesPOST: info.Retry == codes.RetryBackoff || info.Retry == codes.RetryConcurrency,
				Applied:     info.Applied, AppliedWhy: curated[api][i].appliedWhy,
				Permission: info.Permission, PermissionWhy: curated[api][i].permissionWhy,
				Documented: true, Row: c.String(), Family: got.Family,
			}, *got)
			assert.NotEmpty(t, got.RetryWhy)
			n++
		}
	}
	assert.Equal(t, len(exos.All())+len(entrecode.All())+len(usta.All())+len(tapkey.All()), n)
}

func TestLookupRules(t *testing.T) {
	type hit struct{ api, code, row string }
	for _, tc := range []struct {
		query, api string
		want       []hit
	}{
		{"202", "", []hit{{"entrecode", "202", "202"}}},
		{"1202", "", []hit{{"entrecode", "1202", "202"}}},
		{"3451", "", []hit{{"entrecode", "3451", "451"}}},
		{"4202", "", nil}, // no system 4
		{"000", "", []hit{{"entrecode", "000", "000"}}},
		{"2000", "", []hit{{"entrecode", "2000", "000"}}},
		{"405", "", []hit{{"exos", "405", "405"}}},
		{"400241", "", []hit{{"exos", "400241", "400241"}}},
		{"3001", "", []hit{{"usta", "3001", "3001"}}},
		{"200602", "", []hit{{"usta", "200602", "200602"}}},
		{"300199", "", []hit{{"usta", "300199", "3001"}}}, // an undocumented refinement of 3001
		{"concurrencyerror", "", []hit{{"exos", "400241", "400241"}}},
		{"Generic", "", []hit{{"tapkey", "Generic", "Generic"}}},
		{"Generic", "exos", nil},
		{" 400241 ", "", []hit{{"exos", "400241", "400241"}}},
		{"", "", nil},
		{"4e5", "", nil},
	} {
		t.Run(tc.query+"/"+tc.api, func(t *testing.T) {
			var got []hit
			for _, m := range lookup(tc.query, tc.api) {
				r := m.json()
				got = append(got, hit{r.API, r.Code, r.Row})
			}
			assert.Equal(t, tc.want, got)
		})
	}
}
