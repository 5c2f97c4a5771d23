package tapkey_test

import (
	"errors"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/accessapi/apierr/codes"
	"github.com/accessapi/apierr/codes/tapkey"
	"github.com/accessapi/apierr/internal/gentable"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAllFollowsTheTable(t *testing.T) {
	tb, err := gentable.ReadTableFile(filepath.Join("..", "tables", "tapkey.tsv"))
	require.NoError(t, err)
	all := tapkey.All()
	require.Len(t, all, len(tb.Rows))
	for i, r := range tb.Rows {
		assert.Equal(t, tapkey.Code(r.Code), all[i], "row %d", i)
		assert.Equal(t, codes.Info{Known: true, Status: r.Status, Description: r.Description, Retry: codes.RetryNever}, all[i].Info(), r.Code)
	}
}

func TestAllReturnsACopy(t *testing.T) {
	a := tapkey.All()
	a[0] = "x"
	assert.Equal(t, tapkey.InsufficientAccountLevel, tapkey.All()[0])
}

func TestConstantsAreTheCodes(t *testing.T) {
	for _, c := range tapkey.All() {
		assert.Equal(t, string(c), c.String())
	}
	assert.Equal(t, tapkey.Code("Duplicate"), tapkey.Duplicate)
	assert.Equal(t, tapkey.Code("EmailNotVerified"), tapkey.EmailNotVerified)
	assert.Equal(t, tapkey.Code("TimeRestrictionIcalMalformed"), tapkey.TimeRestrictionIcalMalformed)
}

func TestInfo(t *testing.T) {
	assert.Equal(t, codes.Info{Known: true, Description: "Indicates an operation trying to create a duplicate grant per lock and user."},
		tapkey.Duplicate.Info())
	for _, notACode := range []tapkey.Code{"BadRequest", "NotFound", "InternalServerError", "duplicate", ""} {
		assert.Equal(t, codes.Info{}, notACode.Info(), "%q", notACode)
	}
}

func TestErrorAndString(t *testing.T) {
	assert.Equal(t, "tapkey: Duplicate: Indicates an operation trying to create a duplicate grant per lock and user.", tapkey.Duplicate.Error())
	assert.Equal(t, "tapkey: SomethingNew", tapkey.Code("SomethingNew").Error())
	assert.Equal(t, "tapkey", tapkey.Duplicate.API())
}

func TestErrorsIs(t *testing.T) {
	err := fmt.Errorf("create grant: %w", tapkey.Code("Duplicate"))
	assert.True(t, errors.Is(err, tapkey.Duplicate))
	assert.False(t, errors.Is(err, tapkey.Generic))
}

func TestInfoDoesNotAllocate(t *testing.T) {
	var sink codes.Info
	allocs := testing.AllocsPerRun(100, func() {
		for _, c := range []tapkey.Code{tapkey.Duplicate, tapkey.EmailChangeNotSupported, "Unknown"} {
			sink = c.Info()
		}
	})
	_ = sink
	assert.Zero(t, allocs)
}
