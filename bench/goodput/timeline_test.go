package goodput

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeTimeline is a timeline whose clock the test moves.
func fakeTimeline(horizon time.Duration) (*Timeline, *time.Duration) {
	tl := NewTimeline(horizon)
	var at time.Duration
	tl.now = func() time.Time { return tl.start.Add(at) }
	return tl, &at
}

func TestTimelineBuckets(t *testing.T) {
	tl, at := fakeTimeline(time.Second)
	tl.Count(OK)
	tl.Count(Throttled)
	*at = 99 * time.Millisecond
	tl.Count(OK)
	*at = 100 * time.Millisecond // the first instant of bucket 1
	tl.Count(Unavailable)
	*at = 350 * time.Millisecond
	tl.Count(Conflict)
	tl.Count(Unauthorized)

	got := tl.Buckets()
	require.Len(t, got, 4, "trimmed after the last bucket that holds a count")
	assert.Equal(t, Bucket{Requests: 3, OK: 2, Throttled: 1}, got[0])
	assert.Equal(t, Bucket{Requests: 1, Unavailable: 1}, got[1])
	assert.Equal(t, Bucket{}, got[2])
	assert.Equal(t, Bucket{Requests: 2, Conflict: 1, Unauthorized: 1}, got[3])
	assert.Equal(t, Bucket{Requests: 6, OK: 2, Throttled: 1, Unavailable: 1, Conflict: 1, Unauthorized: 1}, Total(got))
}

func TestTimelineEdges(t *testing.T) {
	t.Run("past the horizon goes to the last bucket", func(t *testing.T) {
		tl, at := fakeTimeline(200 * time.Millisecond) // buckets 0, 1, 2
		*at = time.Hour
		tl.Count(OK)
		got := tl.Buckets()
		require.Len(t, got, 3)
		assert.Equal(t, int64(1), got[2].OK)
	})
	t.Run("a clock before the start goes to the first bucket", func(t *testing.T) {
		tl, at := fakeTimeline(time.Second)
		*at = -time.Second
		tl.Count(Throttled)
		got := tl.Buckets()
		require.Len(t, got, 1)
		assert.Equal(t, int64(1), got[0].Throttled)
	})
	t.Run("nothing counted", func(t *testing.T) {
		tl, _ := fakeTimeline(time.Second)
		assert.Empty(t, tl.Buckets())
		assert.Equal(t, Bucket{}, Total(nil))
	})
}
