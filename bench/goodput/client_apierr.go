package goodput

import (
	"context"
	"encoding/json"

	"github.com/accessapi/apierr"
	"github.com/accessapi/apierr/decode"
)

// apierrCaller is apierr at its defaults, with the decoder that fits the
// server's error bodies.
type apierrCaller struct{ c *apierr.Client }

func newApierr(s Setup) (Caller, error) {
	dec := decode.Problem // the fakes answer RFC 9457, exos aside
	if s.Exos {
		dec = decode.Exos
	}
	opts := []apierr.Option{apierr.WithBaseURL(s.BaseURL), apierr.WithDecoder(dec)}
	if s.OAuth != nil {
		opts = append(opts, apierr.WithClientCredentials(s.OAuth))
	}
	c, err := apierr.New(opts...)
	if err != nil {
		return nil, err
	}
	return apierrCaller{c}, nil
}

func (a apierrCaller) Call(ctx context.Context, r Request) error {
	var body any
	if r.Body != nil {
		body = json.RawMessage(r.Body)
	}
	req, err := a.c.NewRequest(ctx, r.Method, r.Path, body)
	if err != nil {
		return err
	}
	var v item
	_, err = a.c.Do(req, &v)
	return err
}

func (a apierrCaller) Close() { _ = a.c.Close() }
