package decode_test

import (
	"bytes"
	"os"
	"testing"

	"github.com/accessapi/apierr"
	"github.com/accessapi/apierr/codes"
	"github.com/accessapi/apierr/codes/entrecode"
	"github.com/accessapi/apierr/codes/exos"
	"github.com/accessapi/apierr/codes/tapkey"
	"github.com/accessapi/apierr/codes/usta"
	"github.com/accessapi/apierr/decode"
	"github.com/accessapi/apierr/internal/corpustest"
)

// fuzzSeeds are the corpus bodies (when present), the bodies written from
// the documents and the odd bodies.
func fuzzSeeds(f *testing.F) {
	bodies := []string{exosDocBody, entrecodeDocBody, entrecodePublished, ustaDocBody, tapkeyDocBody, problemDocBody}
	bodies = append(bodies, oddBodies...)
	for _, file := range corpustest.Paths() {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		bodies = append(bodies, string(b))
	}
	for i, b := range bodies {
		f.Add(400+i%200, []byte(b))
	}
}

// fuzzDecoder checks what every decoder promises on any input: no panic, a
// Problem of the decoder's type, the status kept, the body kept unchanged,
// sub-errors bounded.
func fuzzDecoder(f *testing.F, d apierr.Decoder, isType func(error) bool) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		if status <= 0 {
			status = 0 // a response without a status: the body's is used
		}
		in := bytes.Clone(body)
		err := d.Decode(response(status, nil), body)
		if err == nil || !isType(err) {
			t.Fatalf("got %T (%v), want the decoder's Problem type", err, err)
		}
		got, _ := summarize(err)
		if status != 0 && got.status != status {
			t.Fatalf("status %d, want %d", got.status, status)
		}
		if !bytes.Equal(body, in) || !bytes.Equal(bodyOf(err), in) {
			t.Fatal("body changed or not kept")
		}
		if got.subErrors > 64 {
			t.Fatalf("%d sub-errors", got.subErrors)
		}
		_ = err.Error()
	})
}

func FuzzExos(f *testing.F)      { fuzzDecoder(f, decode.Exos, isProblem[exos.Code]) }
func FuzzEntrecode(f *testing.F) { fuzzDecoder(f, decode.Entrecode, isProblem[entrecode.Code]) }
func FuzzUSTA(f *testing.F)      { fuzzDecoder(f, decode.USTA, isProblem[usta.Code]) }
func FuzzTapkey(f *testing.F)    { fuzzDecoder(f, decode.Tapkey, isProblem[tapkey.Code]) }
func FuzzProblem(f *testing.F)   { fuzzDecoder(f, decode.Problem, isProblem[codes.Generic]) }
func FuzzAuto(f *testing.F) {
	fuzzDecoder(f, decode.Auto, func(err error) bool { _, ok := summarize(err); return ok })
}
