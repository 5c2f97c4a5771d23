package entrecode_test

// The checks every catalogue shares are table-driven in codes/catalogue_test.go;
// these are entrecode's own: families across the system digit.

import (
	"errors"
	"fmt"
	"testing"

	"github.com/accessapi/apierr/codes"
	"github.com/accessapi/apierr/codes/entrecode"
	"github.com/stretchr/testify/assert"
)

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
	assert.Equal(t, entrecode.InternalError.Info(), entrecode.Code(3000).Info())
	assert.True(t, entrecode.Code(2410).Info().Permission, "2410 is the Data Manager's 410")
	assert.Equal(t, codes.Info{}, entrecode.Code(2999).Info(), "undocumented")
}

func TestFamilyAndSystem(t *testing.T) {
	assert.Equal(t, entrecode.MissingPropertyInQueryString, entrecode.Code(2202).Family())
	assert.Equal(t, 2, entrecode.Code(2202).System())
	assert.Equal(t, entrecode.MissingPropertyInQueryString, entrecode.MissingPropertyInQueryString.Family())
	assert.Zero(t, entrecode.MissingPropertyInQueryString.System())
	assert.Equal(t, entrecode.Code(12202), entrecode.Code(12202).Family(), "five digits are no system code")
	assert.Equal(t, "000", entrecode.InternalError.String(), "a family keeps its three digits")
}
