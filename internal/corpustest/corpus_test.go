package corpustest_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"go.uber.org/goleak"

	"github.com/accessapi/apierr/internal/corpustest"
)

// Every body has an expectation and a status row, and every expectation
// names a body that is there: a renamed file cannot leave a stale row.
func TestBodiesMatchExpected(t *testing.T) {
	bodies := corpustest.Bodies(t)
	assert.Len(t, bodies, len(corpustest.Expected))
	for _, b := range bodies {
		assert.Equal(t, corpustest.Expected[b.Name], b.Want, b.Name)
		assert.Equal(t, b.Name, filepath.Base(b.Path))
		_, err := os.Stat(b.Path)
		assert.NoError(t, err)
	}
	// SOURCES.md's cells, read as the leading number: "400 (body)" and
	// "not stated (likely 400/403; unknown)".
	statuses := map[string]int{}
	for _, b := range bodies {
		statuses[b.Name] = b.Status
	}
	assert.Equal(t, 400, statuses["entrecode-ecsdk-embedded-array.json"])
	assert.Equal(t, 0, statuses["tapkey-duplicate-grant.json"])
}

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
