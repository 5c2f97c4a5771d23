package entrecode_test

// The checks every catalogue shares, families matched by errors.Is and the
// Info of a four-digit code among them, are table-driven in
// codes/catalogue_test.go; these are entrecode's own methods.

import (
	"testing"

	"github.com/accessapi/apierr/codes/entrecode"
	"github.com/stretchr/testify/assert"
)

func TestFamilyAndSystem(t *testing.T) {
	assert.Equal(t, entrecode.MissingPropertyInQueryString, entrecode.Code(2202).Family())
	assert.Equal(t, 2, entrecode.Code(2202).System())
	assert.Equal(t, entrecode.MissingPropertyInQueryString, entrecode.MissingPropertyInQueryString.Family())
	assert.Zero(t, entrecode.MissingPropertyInQueryString.System())
	assert.Equal(t, entrecode.Code(12202), entrecode.Code(12202).Family(), "five digits are no system code")
	assert.Equal(t, "000", entrecode.InternalError.String(), "a family keeps its three digits")
}
