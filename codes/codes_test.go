package codes_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/accessapi/apierr/codes"
)

func TestRetryClassString(t *testing.T) {
	for _, tc := range []struct {
		class codes.RetryClass
		want  string
	}{
		{codes.RetryNever, "never"},
		{codes.RetryBackoff, "backoff"},
		{codes.RetryConcurrency, "concurrency"},
		{codes.RetryTransient, "transient"},
		{codes.RetryClass(-1), "RetryClass(-1)"},
		{codes.RetryClass(4), "RetryClass(4)"},
	} {
		t.Run(tc.want, func(t *testing.T) { assert.Equal(t, tc.want, tc.class.String()) })
	}
}

func TestGeneric(t *testing.T) {
	g := codes.Generic("https://example.com/probs/out-of-credit")
	var err error = g
	assert.Equal(t, "apierr: https://example.com/probs/out-of-credit", err.Error())
	assert.Equal(t, string(g), g.String())
	assert.Equal(t, codes.Info{}, g.Info())
	assert.Empty(t, g.API())
	assert.True(t, errors.Is(err, codes.Generic("https://example.com/probs/out-of-credit")))
	assert.False(t, errors.Is(err, codes.Generic("other")))
}
