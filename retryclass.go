package apierr

import (
	"errors"

	"github.com/accessapi/apierr/codes"
)

// RetryClassOf returns the retry class the client applies to err: the
// class of its code when the catalogue documents the code, else the one
// its status implies (429 backoff; 408, 502, 503, 504 transient). An error
// that is no *Problem gives RetryNever. Tools that explain a captured
// response (cmd/apierr) use it so that they say what Do would do.
func RetryClassOf(err error) codes.RetryClass {
	var p problem
	if !errors.As(err, &p) {
		return codes.RetryNever
	}
	return classify(p, p.status())
}
