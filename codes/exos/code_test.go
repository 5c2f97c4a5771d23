package exos_test

import (
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/accessapi/apierr/codes"
	"github.com/accessapi/apierr/codes/exos"
	"github.com/accessapi/apierr/internal/gentable"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func readTable(t testing.TB) *gentable.Table {
	t.Helper()
	tb, err := gentable.ReadTableFile(filepath.Join("..", "tables", "exos.tsv"))
	require.NoError(t, err)
	return tb
}

func TestAllFollowsTheTable(t *testing.T) {
	rows := readTable(t).Rows
	all := exos.All()
	require.Len(t, all, len(rows))
	for i, r := range rows {
		n, err := strconv.Atoi(r.Code)
		require.NoError(t, err)
		assert.Equal(t, exos.Code(n), all[i], "row %d", i)
		info := all[i].Info()
		assert.True(t, info.Known, r.Code)
		assert.Equal(t, r.Status, info.Status, r.Code)
		assert.Equal(t, r.Description, info.Description, r.Code)
	}
}

func TestAllReturnsACopy(t *testing.T) {
	a := exos.All()
	a[0] = 1
	assert.Equal(t, exos.ValidationError, exos.All()[0])
}

func TestNamesOtherPackagesUse(t *testing.T) {
	for name, tc := range map[string]struct {
		got  exos.Code
		want int
	}{
		"ConcurrencyError":                         {exos.ConcurrencyError, 400241},
		"UnknownAPIKeyOrIdentifier":                {exos.UnknownAPIKeyOrIdentifier, 300008},
		"MaximumConcurrentUsersReached":            {exos.MaximumConcurrentUsersReached, 300007},
		"MaximumFailedLoginsReached":               {exos.MaximumFailedLoginsReached, 300016},
		"UnknownError":                             {exos.UnknownError, 999999},
		"MethodNotAllowed":                         {exos.MethodNotAllowed, 405},
		"CommandNotDefinedForPassagewayType":       {exos.CommandNotDefinedForPassagewayType, 400218},
		"CommandNotDefinedForPassagewayType400220": {exos.CommandNotDefinedForPassagewayType400220, 400220},
	} {
		t.Run(name, func(t *testing.T) { assert.Equal(t, exos.Code(tc.want), tc.got) })
	}
}

func TestInfo(t *testing.T) {
	for _, tc := range []struct {
		code exos.Code
		want codes.Info
	}{
		{300008, codes.Info{Known: true, Status: 401, Description: "Unknown API key or Identifier", Retry: codes.RetryNever}},
		{405, codes.Info{Known: true, Status: 400, Description: "Method not allowed. Using POST instead of GET might be a cause for it", Retry: codes.RetryNever}},
		{400173, codes.Info{Known: true, Status: 405, Description: "The locker group was not found", Retry: codes.RetryNever}},
		{400006, codes.Info{}}, // a gap in the table
		{123456, codes.Info{}},
		{0, codes.Info{}},
		{-1, codes.Info{}},
	} {
		t.Run(tc.code.String(), func(t *testing.T) {
			assert.Equal(t, tc.want, tc.code.Info())
		})
	}
}

func TestRetryClasses(t *testing.T) {
	for _, tc := range []struct {
		code exos.Code
		want codes.RetryClass
	}{
		{300016, codes.RetryBackoff},     // 429 and a locked login
		{400241, codes.RetryConcurrency}, // data changed meanwhile
		{999999, codes.RetryTransient},   // unknown server failure
		{400245, codes.RetryNever},       // the 500s that are configuration errors
		{400246, codes.RetryNever},
		{400247, codes.RetryNever},
		{400248, codes.RetryNever},
		{400254, codes.RetryNever},
		{400255, codes.RetryNever},
		{400257, codes.RetryNever},
		{500000, codes.RetryTransient}, // broker outage
		{500001, codes.RetryTransient},
		{400152, codes.RetryTransient}, // mobile access service down
		{400242, codes.RetryBackoff},   // import still running
		{300007, codes.RetryNever},     // too many sessions
		{300008, codes.RetryNever},     // log in again: auth's job, not a retry
		{100000, codes.RetryNever},
		{400000, codes.RetryNever},
	} {
		t.Run(tc.code.String(), func(t *testing.T) {
			assert.Equal(t, tc.want, tc.code.Info().Retry)
		})
	}
}

func TestErrorAndString(t *testing.T) {
	assert.Equal(t, "exos: 300008: Unknown API key or Identifier", exos.UnknownAPIKeyOrIdentifier.Error())
	assert.Equal(t, "exos: 123456", exos.Code(123456).Error())
	assert.Equal(t, "400241", exos.ConcurrencyError.String())
	assert.Equal(t, "405", exos.MethodNotAllowed.String())
	assert.Equal(t, "exos", exos.ConcurrencyError.API())
}

func TestErrorsIs(t *testing.T) {
	err := fmt.Errorf("update person: %w", exos.Code(400241))
	assert.ErrorIs(t, err, exos.ConcurrencyError)
	assert.NotErrorIs(t, err, exos.UnknownError)
	var c exos.Code
	require.ErrorAs(t, err, &c)
	assert.Equal(t, exos.ConcurrencyError, c)
	assert.False(t, errors.Is(exos.CommandNotDefinedForPassagewayType, exos.CommandNotDefinedForPassagewayType400220),
		"codes that share a description are still different codes")
}

func TestInfoDoesNotAllocate(t *testing.T) {
	var sink codes.Info
	allocs := testing.AllocsPerRun(100, func() {
		for _, c := range []exos.Code{exos.ConcurrencyError, exos.MethodNotAllowed, 123456} {
			sink = c.Info()
		}
	})
	_ = sink
	assert.Zero(t, allocs)
}
