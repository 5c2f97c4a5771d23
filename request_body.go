package apierr

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
)

// This file holds what a request sends: the body NewRequest makes and the
// bytes Do replays on every attempt.

// bodyBytes returns the bytes NewRequest sends for body; nil means none.
// Bytes and readers are sent as they are: re-encoding them with
// encoding/json would send {} for a strings.Reader and a base64 string for
// []byte.
func bodyBytes(body any) ([]byte, error) {
	switch b := body.(type) {
	case nil:
		return nil, nil
	case json.RawMessage:
		return nonEmpty(bytes.Clone(b)), nil
	case []byte:
		return nonEmpty(bytes.Clone(b)), nil
	case io.Reader:
		if v := reflect.ValueOf(b); v.Kind() == reflect.Pointer && v.IsNil() {
			return nil, fmt.Errorf("apierr: NewRequest: the body is a nil %T", b)
		}
		data, err := io.ReadAll(b)
		if c, ok := b.(io.Closer); ok {
			_ = c.Close()
		}
		if err != nil {
			return nil, errors.New("apierr: NewRequest: reading the body: " + err.Error())
		}
		return nonEmpty(data), nil
	}
	data, err := json.Marshal(body)
	if err != nil {
		return nil, errors.New("apierr: NewRequest: encoding the body: " + err.Error())
	}
	return data, nil
}

// nonEmpty returns nil for an empty body, which is sent as no body.
func nonEmpty(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return b
}

// byteBody is the body of a request made by NewRequest: Do replays its
// bytes on every attempt instead of reading it.
type byteBody struct {
	data []byte
	r    bytes.Reader
}

func newByteBody(data []byte) *byteBody {
	b := &byteBody{data: data}
	b.r.Reset(data)
	return b
}

func (b *byteBody) Read(p []byte) (int, error) { return b.r.Read(p) }
func (b *byteBody) Close() error               { return nil }

// requestBytes returns the body every attempt sends: the bytes of a body
// NewRequest made, a fresh copy from GetBody (so that a request passed to
// Do again sends its body again), or a caller's body read once. nil means
// no body.
func requestBytes(req *http.Request) ([]byte, error) {
	if b, ok := req.Body.(*byteBody); ok {
		return b.data, nil
	}
	if req.Body == nil || req.Body == http.NoBody {
		return nil, nil
	}
	body := req.Body
	if req.GetBody != nil {
		fresh, err := req.GetBody()
		if err != nil {
			return nil, errors.New("apierr: Do: GetBody: " + err.Error())
		}
		_ = req.Body.Close() // not read: GetBody gave the same bytes
		body = fresh
	}
	data, err := io.ReadAll(body)
	_ = body.Close()
	if err != nil {
		return nil, errors.New("apierr: Do: reading the request body: " + err.Error())
	}
	if len(data) == 0 && req.ContentLength > 0 {
		// Sending nothing would empty the resource of a PUT.
		return nil, fmt.Errorf("apierr: Do: the request body was already read (ContentLength %d, no GetBody to replay it); build the request again", req.ContentLength)
	}
	return nonEmpty(data), nil
}
