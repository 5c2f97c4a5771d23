package gentable

import (
	"strings"
	"testing"

	"github.com/accessapi/apierr/codes"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func mustTable(t *testing.T, tsv string) *Table {
	t.Helper()
	tb, err := ReadTable(strings.NewReader(tsv))
	require.NoError(t, err)
	return tb
}

func overrides(file string, entries ...Override) Overrides {
	return Overrides{File: file, Entries: entries}
}

func TestBuild(t *testing.T) {
	tb := mustTable(t, "code\tstatus\tdescription\n"+
		"000\t500\tInternal Error. No further information.\n"+
		"373\t400\tOther parallel request already added tag(s)\n"+
		"451\t429\tToo many wrong login attempts\n"+
		"502\t502\tBad gateway\n")
	names := overrides("names.tsv",
		Override{API: "entrecode", Code: "373", Value: "ParallelRequestAddedTags", Why: "shorter"},
		Override{API: "exos", Code: "999", Value: "Ignored", Why: "other API"})
	retry := overrides("retry.tsv",
		Override{API: "entrecode", Code: "000", Value: "transient", Why: "server-side failure"},
		Override{API: "entrecode", Code: "373", Value: "concurrency", Why: "lost a race"})
	c, err := Build("entrecode", false, "codes/tables/entrecode.tsv", tb, Curation{Names: names, Retry: retry})
	require.NoError(t, err)
	assert.Equal(t, "entrecode", c.Package)
	assert.False(t, c.String)
	assert.Equal(t, "codes/tables/entrecode.tsv", c.Source)
	type got struct {
		Name, Code string
		Retry      codes.RetryClass
		Why        string
	}
	var entries []got
	for _, e := range c.Entries {
		entries = append(entries, got{e.Name, e.Code, e.Retry, e.RetryWhy})
	}
	assert.Equal(t, []got{
		{"InternalError", "000", codes.RetryTransient, "server-side failure"},
		{"ParallelRequestAddedTags", "373", codes.RetryConcurrency, "lost a race"},
		{"TooManyWrongLoginAttempts", "451", codes.RetryBackoff, ""},
		{"BadGateway", "502", codes.RetryTransient, ""},
	}, entries)
}

func TestBuildFlags(t *testing.T) {
	tb := mustTable(t, "code\tstatus\tdescription\n1\t400\tPerson already blocked\n2\t401\tNo rights\n3\t400\tOther\n")
	c, err := Build("exos", false, "t.tsv", tb, Curation{
		Applied: overrides("a.tsv", Override{API: "exos", Code: "1", Why: "the person is blocked"},
			Override{API: "usta", Code: "3", Why: "another API's row"}),
		Permission: overrides("p.tsv", Override{API: "exos", Code: "2", Why: "a permission refusal"}),
	})
	require.NoError(t, err)
	var got [][2]string
	for _, e := range c.Entries {
		got = append(got, [2]string{e.AppliedWhy, e.PermissionWhy})
	}
	assert.Equal(t, [][2]string{{"the person is blocked", ""}, {"", "a permission refusal"}, {"", ""}}, got)
}

func TestBuildStringCodesAreTheirOwnNames(t *testing.T) {
	tb := mustTable(t, "code\tstatus\tdescription\nDuplicate\t0\tIndicates a duplicate grant.\n")
	c, err := Build("tapkey", true, "tapkey.tsv", tb, Curation{})
	require.NoError(t, err)
	require.Len(t, c.Entries, 1)
	assert.Equal(t, "Duplicate", c.Entries[0].Name)
	assert.Equal(t, codes.RetryNever, c.Entries[0].Retry)
}

func TestBuildMessageNamesUSTA(t *testing.T) {
	tb := mustTable(t, "code\tstatus\tmessage\tdescription\n2006\t0\tentity saving error\tError occurred while saving the entity.\n")
	c, err := Build("usta", false, "usta.tsv", tb, Curation{})
	require.NoError(t, err)
	assert.Equal(t, "EntitySavingError", c.Entries[0].Name)
}

func TestBuildErrors(t *testing.T) {
	const head = "code\tstatus\tdescription\n"
	for _, tc := range []struct {
		name       string
		pkg        string
		isString   bool
		tsv        string
		names      []Override
		retry      []Override
		applied    []Override
		permission []Override
		want       []string
	}{
		{name: "collision", pkg: "exos", tsv: head + "400218\t400\tThe command is not defined\n400220\t400\tThe command is not defined\n",
			want: []string{"t.tsv:3: code 400220: name CommandNotDefined is also code 400218's; add a row to n.tsv"}},
		{name: "too long", pkg: "exos", tsv: head + "1\t400\tNo proposal of locker possible, because for this lockergroup there is no locker available\n",
			want: []string{"t.tsv:2: code 1: name NoProposalOfLockerPossibleBecauseForThisLockergroupThereNoLockerAvailable is longer than 40 characters"}},
		{name: "nothing to name", pkg: "exos", tsv: head + "1\t400\t(aside)\n",
			want: []string{`t.tsv:2: code 1: name "" is not an exported Go identifier`}},
		{name: "reserved name", pkg: "exos", tsv: head + "1\t400\tCode\n",
			want: []string{`name "Code" is not an exported Go identifier free to use`}},
		{name: "bad override name", pkg: "exos", tsv: head + "1\t400\tFine\n",
			names: []Override{{Line: 7, API: "exos", Code: "1", Value: "not-exported"}},
			want:  []string{`t.tsv:2: code 1: name "not-exported" is not an exported Go identifier`}},
		{name: "stale name override", pkg: "exos", tsv: head + "1\t400\tFine\n",
			names: []Override{{Line: 7, API: "exos", Code: "2", Value: "Gone"}},
			want:  []string{"n.tsv:7: exos 2 is not in t.tsv"}},
		{name: "name override for string codes", pkg: "tapkey", isString: true, tsv: head + "Duplicate\t0\tx\n",
			names: []Override{{Line: 4, API: "tapkey", Code: "Duplicate", Value: "Dup"}},
			want:  []string{"n.tsv:4: tapkey names are the codes themselves"}},
		{name: "string code not an identifier", pkg: "tapkey", isString: true, tsv: head + "not-ident\t0\tx\n",
			want: []string{`t.tsv:2: code not-ident: name "not-ident" is not an exported Go identifier`}},
		{name: "stale retry override", pkg: "exos", tsv: head + "1\t400\tFine\n",
			retry: []Override{{Line: 9, API: "exos", Code: "3", Value: "never"}},
			want:  []string{"r.tsv:9: exos 3 is not in t.tsv"}},
		{name: "bad retry class", pkg: "exos", tsv: head + "1\t400\tFine\n",
			retry: []Override{{Line: 9, API: "exos", Code: "1", Value: "sometimes"}},
			want:  []string{`r.tsv:9: retry class "sometimes"`}},
		{name: "stale applied flag", pkg: "exos", tsv: head + "1\t400\tFine\n",
			applied: []Override{{Line: 5, API: "exos", Code: "4", Why: "x"}},
			want:    []string{"a.tsv:5: exos 4 is not in t.tsv"}},
		{name: "stale permission flag", pkg: "exos", tsv: head + "1\t400\tFine\n",
			permission: []Override{{Line: 6, API: "exos", Code: "5", Why: "x"}},
			want:       []string{"p.tsv:6: exos 5 is not in t.tsv"}},
		{name: "code not a number", pkg: "exos", tsv: head + "1xx\t0\tGeneric Error\n",
			want: []string{`t.tsv:2: code "1xx" is not a non-negative integer`}},
		{name: "negative code", pkg: "exos", tsv: head + "-1\t0\tMinus\n",
			want: []string{`t.tsv:2: code "-1" is not a non-negative integer`}},
		{name: "same number twice", pkg: "entrecode", tsv: head + "000\t500\tInternal\n0\t500\tZero\n",
			want: []string{"t.tsv:3: code 0 is the same number as 000"}},
		{name: "all problems at once", pkg: "exos", tsv: head + "1\t400\tSame\n2\t400\tSame\n",
			retry: []Override{{Line: 9, API: "exos", Code: "3", Value: "never"}},
			want:  []string{"r.tsv:9: exos 3 is not in t.tsv", "t.tsv:3: code 2: name Same is also code 1's"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Build(tc.pkg, tc.isString, "t.tsv", mustTable(t, tc.tsv), Curation{Names: overrides("n.tsv", tc.names...), Retry: overrides("r.tsv", tc.retry...), Applied: overrides("a.tsv", tc.applied...), Permission: overrides("p.tsv", tc.permission...)})
			require.Error(t, err)
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}
