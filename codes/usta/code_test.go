package usta_test

import (
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/accessapi/apierr/codes"
	"github.com/accessapi/apierr/codes/usta"
	"github.com/accessapi/apierr/internal/gentable"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAllFollowsTheTable(t *testing.T) {
	tb, err := gentable.ReadTableFile(filepath.Join("..", "tables", "usta.tsv"))
	require.NoError(t, err)
	all := usta.All()
	require.Len(t, all, len(tb.Rows))
	for i, r := range tb.Rows {
		n, err := strconv.Atoi(r.Code)
		require.NoError(t, err)
		assert.Equal(t, usta.Code(n), all[i], "row %d", i)
		info := all[i].Info()
		assert.True(t, info.Known, r.Code)
		assert.Equal(t, r.Status, info.Status, r.Code)
		assert.Equal(t, r.Description, info.Description, r.Code)
	}
}

func TestAllReturnsACopy(t *testing.T) {
	a := usta.All()
	a[0] = 1
	assert.Equal(t, usta.EntitySavingError, usta.All()[0])
}

func TestNamesOtherPackagesUse(t *testing.T) {
	for name, tc := range map[string]struct {
		got  usta.Code
		want int
	}{
		"EntitySavingError":          {usta.EntitySavingError, 2006},
		"USPTANumberNotUnique":       {usta.USPTANumberNotUnique, 200601},
		"PTRNumberNotUnique":         {usta.PTRNumberNotUnique, 200602},
		"EntityNotFound":             {usta.EntityNotFound, 3001},
		"ValidationError":            {usta.ValidationError, 5000},
		"AuthenticationTokenInvalid": {usta.AuthenticationTokenInvalid, 4003},
		"UnexpectedSystemError":      {usta.UnexpectedSystemError, 9001},
	} {
		t.Run(name, func(t *testing.T) { assert.Equal(t, usta.Code(tc.want), tc.got) })
	}
}

func TestFamilies(t *testing.T) {
	for _, tc := range []struct {
		err, target usta.Code
		want        bool
	}{
		{200601, usta.EntitySavingError, true},
		{200602, usta.EntitySavingError, true},
		{200699, usta.EntitySavingError, true}, // undocumented refinement
		{2006, usta.EntitySavingError, true},
		{2006, usta.USPTANumberNotUnique, false}, // the parent is not the refinement
		{200601, usta.PTRNumberNotUnique, false},
		{300101, usta.EntitySavingError, false},
		{3001, usta.EntitySavingError, false},
	} {
		t.Run(fmt.Sprintf("%d in %d", tc.err, tc.target), func(t *testing.T) {
			assert.Equal(t, tc.want, errors.Is(fmt.Errorf("wrapped: %w", tc.err), tc.target))
		})
	}
}

func TestInfo(t *testing.T) {
	saving := usta.EntitySavingError.Info()
	assert.Equal(t, codes.Info{Known: true, Description: "Error occurred while saving the entity."}, saving)
	assert.Equal(t, codes.Info{Known: true, Description: "Error occurred while saving the entity. USPTA number must be unique."},
		usta.USPTANumberNotUnique.Info())

	undocumented := usta.Code(200699).Info()
	assert.False(t, undocumented.Known)
	assert.Equal(t, saving.Status, undocumented.Status)
	assert.Equal(t, saving.Description, undocumented.Description)
	assert.Equal(t, saving.Retry, undocumented.Retry)

	assert.Equal(t, codes.Info{Known: true, Status: 404, Description: "Entity was not found."}, usta.EntityNotFound.Info())
	assert.Equal(t, codes.Info{}, usta.Code(7000).Info())
	assert.Equal(t, codes.Info{}, usta.Code(700001).Info())
}

func TestRetryClasses(t *testing.T) {
	for _, tc := range []struct {
		code usta.Code
		want codes.RetryClass
	}{
		{9001, codes.RetryTransient},
		{900101, codes.RetryTransient}, // an undocumented refinement keeps its parent's class
		{9002, codes.RetryNever},
		{9003, codes.RetryNever},
		{4005, codes.RetryNever},
		{3001, codes.RetryNever},
		{5000, codes.RetryNever},
	} {
		t.Run(tc.code.String(), func(t *testing.T) {
			assert.Equal(t, tc.want, tc.code.Info().Retry)
		})
	}
}

func TestErrorAndString(t *testing.T) {
	assert.Equal(t, "usta: 3001: Entity was not found.", usta.EntityNotFound.Error())
	assert.Equal(t, "usta: 200699: Error occurred while saving the entity.", usta.Code(200699).Error())
	assert.Equal(t, "usta: 7000", usta.Code(7000).Error())
	assert.Equal(t, "200601", usta.USPTANumberNotUnique.String())
	assert.Equal(t, "usta", usta.EntityNotFound.API())
}

func TestInfoDoesNotAllocate(t *testing.T) {
	var sink codes.Info
	allocs := testing.AllocsPerRun(100, func() {
		for _, c := range []usta.Code{3001, 200601, 200699, 7000} {
			sink = c.Info()
		}
	})
	_ = sink
	assert.Zero(t, allocs)
}
