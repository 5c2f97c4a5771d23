package usta_test

// The checks every catalogue shares are table-driven in codes/catalogue_test.go;
// these are USTA's own: six-digit codes refine four-digit ones.

import (
	"errors"
	"fmt"
	"testing"

	"github.com/accessapi/apierr/codes/usta"
	"github.com/stretchr/testify/assert"
)

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

func TestUndocumentedRefinementTakesItsParentsInfo(t *testing.T) {
	saving := usta.EntitySavingError.Info()
	undocumented := usta.Code(200699).Info()
	assert.False(t, undocumented.Known)
	assert.Equal(t, saving.Status, undocumented.Status)
	assert.Equal(t, saving.Description, undocumented.Description)
	assert.Equal(t, saving.Retry, undocumented.Retry)
	assert.Equal(t, usta.EntitySavingError, usta.Code(200699).Parent())
	assert.Equal(t, usta.EntityNotFound, usta.EntityNotFound.Parent())
}
