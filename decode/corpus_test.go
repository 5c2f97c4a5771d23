package decode_test

import (
	"errors"
	"fmt"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/accessapi/apierr"
	"github.com/accessapi/apierr/codes"
	"github.com/accessapi/apierr/codes/entrecode"
	"github.com/accessapi/apierr/codes/exos"
	"github.com/accessapi/apierr/codes/tapkey"
	"github.com/accessapi/apierr/codes/usta"
	"github.com/accessapi/apierr/decode"
	"github.com/accessapi/apierr/internal/corpustest"
)

// decoded is what the corpus test compares, whatever the code type.
type decoded struct {
	api       string
	status    int
	code      string
	subErrors int
}

// summarize reads a decoder's error through APIError (Generic has the code
// as text, down through Errors); false when it is no Problem.
func summarize(err error) (decoded, bool) {
	var e apierr.APIError
	if !errors.As(err, &e) {
		return decoded{}, false
	}
	g := e.Generic()
	return decoded{apiOf(e), g.Status, g.ErrorCode(), len(g.Errors)}, true
}

// apiOf names the decoder whose Problem type e is: the type is what Auto
// picks.
func apiOf(e apierr.APIError) string {
	switch e.(type) {
	case *apierr.Problem[exos.Code]:
		return "exos"
	case *apierr.Problem[entrecode.Code]:
		return "entrecode"
	case *apierr.Problem[usta.Code]:
		return "usta"
	case *apierr.Problem[tapkey.Code]:
		return "tapkey"
	case *apierr.Problem[codes.Generic]:
		return "generic"
	}
	return fmt.Sprintf("unknown %T", e)
}

// bodyOf returns the Problem's Body, whatever its code type.
func bodyOf(err error) []byte {
	if e, ok := err.(apierr.APIError); ok {
		return e.Generic().Body
	}
	return nil
}

var decoderFor = map[string]apierr.Decoder{
	"exos": decode.Exos, "entrecode": decode.Entrecode, "usta": decode.USTA,
	"tapkey": decode.Tapkey, "generic": decode.Problem,
}

// Every corpus body decodes, with its API's decoder and with Auto, to the
// status SOURCES.md gives and the code its name and notes give.
func TestCorpus(t *testing.T) {
	bodies := corpustest.Bodies(t)
	passed, bodyStatus := 0, 0
	for _, c := range bodies {
		t.Run(c.Name, func(t *testing.T) {
			body, err := os.ReadFile(c.Path)
			require.NoError(t, err)

			for _, d := range []struct {
				name    string
				decoder apierr.Decoder
			}{{c.API, decoderFor[c.API]}, {"auto", decode.Auto}} {
				got, ok := summarize(d.decoder.Decode(response(c.Status, nil), body))
				require.True(t, ok, "%s: not a *apierr.Problem", d.name)
				assert.Equal(t, decoded{c.API, c.Status, c.Code, c.SubErrors}, got, d.name)

				// Without a response status, the body's own status (if
				// any) must agree with SOURCES.md.
				got, _ = summarize(d.decoder.Decode(response(0, nil), body))
				if got.status != 0 {
					assert.Equal(t, c.Status, got.status, "%s: status from the body", d.name)
					bodyStatus++
				}
			}
			if !t.Failed() {
				passed++
			}
		})
	}
	t.Logf("corpus: %d of %d bodies pass; %d decodes took the status from the body", passed, len(bodies), bodyStatus)
}
