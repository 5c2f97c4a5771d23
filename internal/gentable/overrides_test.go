package gentable

import (
	"strconv"
	"strings"
	"testing"

	"github.com/accessapi/apierr/codes"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReadOverrides(t *testing.T) {
	in := "# curated\napi\tcode\tname\twhy\nexos\t300016\tMaximumFailedLoginsReached\ttoo long\nusta\t300016\tOther\tsame code, other API\n"
	got, err := ReadOverrides(strings.NewReader(in), "name")
	require.NoError(t, err)
	assert.Equal(t, []Override{
		{Line: 3, API: "exos", Code: "300016", Value: "MaximumFailedLoginsReached", Why: "too long"},
		{Line: 4, API: "usta", Code: "300016", Value: "Other", Why: "same code, other API"},
	}, got)
}

func TestReadOverridesFlagFile(t *testing.T) {
	got, err := ReadOverrides(strings.NewReader("api\tcode\twhy\nexos\t400026\tthe person is blocked\n"), "")
	require.NoError(t, err)
	assert.Equal(t, []Override{{Line: 2, API: "exos", Code: "400026", Why: "the person is blocked"}}, got)
	for name, in := range map[string]string{
		"value column in a flag file": "api\tcode\tclass\twhy\n",
		"empty why":                   "api\tcode\twhy\nexos\t1\t\n",
		"duplicate":                   "api\tcode\twhy\nexos\t1\tx\nexos\t1\ty\n",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := ReadOverrides(strings.NewReader(in), "")
			assert.Error(t, err)
		})
	}
}

func TestReadOverridesErrors(t *testing.T) {
	const head = "api\tcode\tclass\twhy\n"
	for _, tc := range []struct {
		name, in, want string
	}{
		{"wrong value column", "api\tcode\tname\twhy\n", `missing column "class"`},
		{"missing why", "api\tcode\tclass\n", `missing column "why"`},
		{"empty why", head + "exos\t1\tnever\t \n", "line 2: empty why"},
		{"empty class", head + "exos\t1\t\tx\n", "line 2: empty class"},
		{"empty api", head + "\t1\tnever\tx\n", "line 2: empty api"},
		{"duplicate", head + "exos\t1\tnever\tx\nexos\t1\tbackoff\ty\n", "line 3: exos 1 already on line 2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ReadOverrides(strings.NewReader(tc.in), "class")
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestParseRetryClass(t *testing.T) {
	for in, want := range map[string]codes.RetryClass{
		"never": codes.RetryNever, "backoff": codes.RetryBackoff,
		"concurrency": codes.RetryConcurrency, "transient": codes.RetryTransient,
	} {
		t.Run(in, func(t *testing.T) {
			got, err := ParseRetryClass(in)
			require.NoError(t, err)
			assert.Equal(t, want, got)
		})
	}
	for _, bad := range []string{"", "Never", "retry", "RetryClass(9)"} {
		t.Run("bad "+bad, func(t *testing.T) {
			_, err := ParseRetryClass(bad)
			assert.Error(t, err)
		})
	}
}

func TestDefaultRetry(t *testing.T) {
	for status, want := range map[int]codes.RetryClass{
		0: codes.RetryNever, 400: codes.RetryNever, 404: codes.RetryNever, 409: codes.RetryNever,
		429: codes.RetryBackoff, 500: codes.RetryNever, 501: codes.RetryNever,
		502: codes.RetryTransient, 503: codes.RetryTransient, 504: codes.RetryTransient,
	} {
		t.Run(strconv.Itoa(status), func(t *testing.T) { assert.Equal(t, want, DefaultRetry(status)) })
	}
}
