package decode_test

import (
	"net/http"
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/accessapi/apierr/internal/corpustest"
)

// hostileBodies are 64 KiB bodies built to make a decoder allocate: many
// tiny sub-errors, messages, members or tags, deep nesting, escapes.
func hostileBodies() map[string]string {
	const n = 64 << 10
	return map[string]string{
		"tiny errors":      `{"title":"t","errors":[` + strings.Repeat(`{},`, n/3) + `{}]}`,
		"tiny messages":    `{"title":"t","errors":{"f":[` + strings.Repeat(`"",`, n/3) + `""]}}`,
		"many fields":      `{"title":"t","errors":{` + strings.Repeat(`"f":"m",`, n/8) + `"f":"m"}}`,
		"duplicate titles": `{` + strings.Repeat(`"title":"x",`, n/12) + `"title":"x"}`,
		"missing commas":   `{` + strings.Repeat(`"title":"x" `, n/12) + `}`,
		"escapes":          `{"title":"` + strings.Repeat(`\u00e9`, n/6) + `"}`,
		"escaped keys":     `{` + strings.Repeat(`"\u0074itle":"x",`, n/17) + `"a":1}`,
		"deep arrays":      `{"errors":` + strings.Repeat("[", n) + strings.Repeat("]", n) + `}`,
		"deep objects":     strings.Repeat(`{"cause":`, n/9),
		"deep embedded":    strings.Repeat(`{"_embedded":{"error":`, n/22),
		"deep odata":       strings.Repeat(`{"error":`, n/9),
		"top-level array":  `[` + strings.Repeat(`{"errorCode":1},`, n/16) + `{}]`,
		"html tags":        strings.Repeat("<b>x</b>", n/8),
		"html entities":    "<title>" + strings.Repeat("&amp;", n/5) + "</title>",
		"text":             strings.Repeat("word ", n/5),
		"invalid utf-8":    `{"title":"` + strings.Repeat("\xff", n) + `"}`,
	}
}

// allocBound is what a decoder may allocate for a body of n bytes: the
// strings it keeps (at most 3n: like encoding/json, it turns each invalid
// UTF-8 byte into a three-byte U+FFFD) plus a constant (the Problem and at
// most 64 sub-errors).
func allocBound(n int) uint64 { return uint64(4*n + 64<<10) }

// bytesAllocated returns the bytes one call of f allocates, on average.
func bytesAllocated(f func()) uint64 {
	const runs = 5
	f() // warm the pools
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := 0; i < runs; i++ {
		f()
	}
	runtime.ReadMemStats(&after)
	return (after.TotalAlloc - before.TotalAlloc) / runs
}

// No decoder allocates more than a small multiple of its input, on the
// corpus, the documented bodies, the odd bodies and hostile bodies.
func TestAllocationBounded(t *testing.T) {
	bodies := map[string]string{
		"exos": exosDocBody, "entrecode": entrecodeDocBody, "usta": ustaDocBody,
		"tapkey": tapkeyDocBody, "problem": problemDocBody,
	}
	for i, b := range oddBodies {
		bodies["odd "+string(rune('a'+i%26))+string(rune('0'+i/26))] = b
	}
	for name, b := range hostileBodies() {
		bodies[name] = b
	}
	for _, file := range corpustest.Paths() {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		bodies[file] = string(b)
	}
	resp := response(http.StatusBadRequest, nil)
	worst, worstName := 0.0, ""
	for _, d := range oddDecoders {
		for name, b := range bodies {
			body := []byte(b)
			got := bytesAllocated(func() { _ = d.decoder.Decode(resp, body) })
			assert.LessOrEqual(t, got, allocBound(len(body)), "%s on %s (%d bytes)", d.name, name, len(body))
			if r := float64(got) / float64(len(body)+1); len(body) > 4096 && r > worst {
				worst, worstName = r, d.name+" on "+name
			}
		}
	}
	t.Logf("largest allocation per input byte on bodies over 4 KiB: %.2f (%s)", worst, worstName)
}
