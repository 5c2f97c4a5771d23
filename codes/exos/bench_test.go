package exos_test

import (
	"sort"
	"testing"

	"github.com/accessapi/apierr/codes"
	"github.com/accessapi/apierr/codes/exos"
)

// benchCodes mixes documented codes from every range with undocumented ones.
var benchCodes = []exos.Code{100000, 300008, 300016, 400001, 400152, 400241, 400316, 999999, 405, 400006, 123456, 700000}

var infoSink codes.Info

// BenchmarkInfo compares the generated switch (Code.Info) with the two
// obvious alternatives built from the same data: a map (the baseline, run
// first so `benchstat -col /impl` compares against it) and a binary search
// over a sorted slice.
func BenchmarkInfo(b *testing.B) {
	all := exos.All()
	byCode := make(map[exos.Code]codes.Info, len(all))
	sorted := make([]exos.Code, len(all))
	copy(sorted, all)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
	infos := make([]codes.Info, len(sorted))
	for i, c := range sorted {
		byCode[c] = c.Info()
		infos[i] = c.Info()
	}
	b.Run("impl=map", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			infoSink = byCode[benchCodes[i%len(benchCodes)]]
		}
	})
	b.Run("impl=sorted-slice", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			c := benchCodes[i%len(benchCodes)]
			j := sort.Search(len(sorted), func(k int) bool { return sorted[k] >= c })
			if j < len(sorted) && sorted[j] == c {
				infoSink = infos[j]
			} else {
				infoSink = codes.Info{}
			}
		}
	})
	b.Run("impl=switch", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			infoSink = benchCodes[i%len(benchCodes)].Info()
		}
	})
}
