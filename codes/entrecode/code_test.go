package entrecode_test

import (
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/accessapi/apierr/codes"
	"github.com/accessapi/apierr/codes/entrecode"
	"github.com/accessapi/apierr/internal/gentable"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAllFollowsTheTable(t *testing.T) {
	tb, err := gentable.ReadTableFile(filepath.Join("..", "tables", "entrecode.tsv"))
	require.NoError(t, err)
	all := entrecode.All()
	require.Len(t, all, len(tb.Rows))
	for i, r := range tb.Rows {
		n, err := strconv.Atoi(r.Code)
		require.NoError(t, err)
		assert.Equal(t, entrecode.Code(n), all[i], "row %d", i)
		assert.Equal(t, r.Code, all[i].String(), "a family keeps its three digits")
		info := all[i].Info()
		assert.True(t, info.Known, r.Code)
		assert.Equal(t, r.Status, info.Status, r.Code)
		assert.Equal(t, r.Description, info.Description, r.Code)
	}
}

func TestAllReturnsACopy(t *testing.T) {
	a := entrecode.All()
	a[0] = 999
	assert.Equal(t, entrecode.InternalError, entrecode.All()[0])
}

func TestNamesOtherPackagesUse(t *testing.T) {
	for name, tc := range map[string]struct {
		got  entrecode.Code
		want int
	}{
		"InternalError":                         {entrecode.InternalError, 0},
		"ResourceNotFound":                      {entrecode.ResourceNotFound, 100},
		"MissingPropertyInQueryString":          {entrecode.MissingPropertyInQueryString, 202},
		"InvalidAccessToken":                    {entrecode.InvalidAccessToken, 401},
		"OutdatedAccessToken":                   {entrecode.OutdatedAccessToken, 402},
		"TooManyWrongLoginAttempts":             {entrecode.TooManyWrongLoginAttempts, 451},
		"ParallelRequestAddedTags":              {entrecode.ParallelRequestAddedTags, 373},
		"CannotExportRequiredFieldNoDefault":    {entrecode.CannotExportRequiredFieldNoDefault, 374},
		"CannotExportRequiredFieldNoDefault376": {entrecode.CannotExportRequiredFieldNoDefault376, 376},
	} {
		t.Run(name, func(t *testing.T) { assert.Equal(t, entrecode.Code(tc.want), tc.got) })
	}
}

func TestFamilies(t *testing.T) {
	for _, tc := range []struct {
		err    entrecode.Code
		target entrecode.Code
		want   bool
	}{
		{1202, entrecode.MissingPropertyInQueryString, true},
		{2202, entrecode.MissingPropertyInQueryString, true},
		{3202, entrecode.MissingPropertyInQueryString, true},
		{2202, 2202, true},
		{1202, 2202, false}, // a four-digit code matches only itself
		{202, 2202, false},  // a family does not match one system's code
		{2201, entrecode.MissingPropertyInQueryString, false},
		{2000, entrecode.InternalError, true},
		{1451, entrecode.TooManyWrongLoginAttempts, true},
		{12202, entrecode.MissingPropertyInQueryString, false}, // not a system digit + code
	} {
		t.Run(fmt.Sprintf("%v in %v", tc.err.String(), tc.target.String()), func(t *testing.T) {
			assert.Equal(t, tc.want, errors.Is(fmt.Errorf("wrapped: %w", tc.err), tc.target))
		})
	}
}

func TestInfoOfFourDigitCodesIsTheFamilys(t *testing.T) {
	assert.Equal(t, entrecode.TooManyWrongLoginAttempts.Info(), entrecode.Code(1451).Info())
	assert.Equal(t, codes.Info{Known: true, Status: 429, Description: "Too many wrong login attempts (on login, only 1451 is defined)", Retry: codes.RetryBackoff},
		entrecode.Code(1451).Info())
	assert.Equal(t, entrecode.InternalError.Info(), entrecode.Code(3000).Info())
	assert.Equal(t, codes.Info{}, entrecode.Code(2999).Info(), "undocumented")
	assert.Equal(t, codes.Info{}, entrecode.Code(999).Info(), "undocumented")
	assert.Equal(t, codes.Info{}, entrecode.Code(12202).Info(), "five digits")
}

func TestRetryClasses(t *testing.T) {
	for _, tc := range []struct {
		code entrecode.Code
		want codes.RetryClass
	}{
		{451, codes.RetryBackoff},
		{1451, codes.RetryBackoff},
		{373, codes.RetryConcurrency},
		{2373, codes.RetryConcurrency},
		{0, codes.RetryTransient},
		{2000, codes.RetryTransient},
		{150, codes.RetryNever},
		{401, codes.RetryNever},
		{202, codes.RetryNever},
	} {
		t.Run(tc.code.String(), func(t *testing.T) {
			assert.Equal(t, tc.want, tc.code.Info().Retry)
		})
	}
}

func TestErrorAndString(t *testing.T) {
	assert.Equal(t, "entrecode: 2202: Missing property in query string", entrecode.Code(2202).Error())
	assert.Equal(t, "entrecode: 000: Internal Error. No further information disclosured to client.", entrecode.InternalError.Error())
	assert.Equal(t, "entrecode: 2999", entrecode.Code(2999).Error())
	assert.Equal(t, "000", entrecode.InternalError.String())
	assert.Equal(t, "2202", entrecode.Code(2202).String())
	assert.Equal(t, "entrecode", entrecode.InternalError.API())
}

func TestInfoDoesNotAllocate(t *testing.T) {
	var sink codes.Info
	allocs := testing.AllocsPerRun(100, func() {
		for _, c := range []entrecode.Code{2202, entrecode.InternalError, 1451, 2999} {
			sink = c.Info()
		}
	})
	_ = sink
	assert.Zero(t, allocs)
}
