package usta_test

// The checks every catalogue shares, six-digit refinements matched by
// errors.Is and the Info of an undocumented one among them, are
// table-driven in codes/catalogue_test.go; this is USTA's own method.

import (
	"testing"

	"github.com/accessapi/apierr/codes/usta"
	"github.com/stretchr/testify/assert"
)

func TestParent(t *testing.T) {
	assert.Equal(t, usta.EntitySavingError, usta.Code(200699).Parent(), "an undocumented refinement")
	assert.Equal(t, usta.EntitySavingError, usta.USPTANumberNotUnique.Parent())
	assert.Equal(t, usta.EntityNotFound, usta.EntityNotFound.Parent(), "a four-digit code is its own parent")
}
