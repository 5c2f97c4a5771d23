package errtext_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/accessapi/apierr/codes"
	"github.com/accessapi/apierr/codes/internal/errtext"
)

func TestOf(t *testing.T) {
	for _, tc := range []struct {
		name string
		info codes.Info
		want string
	}{
		{"documented", codes.Info{Known: true, Description: "Duplicate grant"}, "tapkey: Duplicate: Duplicate grant"},
		{"undocumented", codes.Info{}, "tapkey: Duplicate"},
		{"undocumented with a parent's description", codes.Info{Description: "Saving failed."}, "tapkey: Duplicate: Saving failed."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, errtext.Of("tapkey", "Duplicate", tc.info))
		})
	}
}
