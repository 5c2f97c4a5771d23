package apierr

import "strconv"

// Status sentinels: every *Problem matches the one for its status, whatever
// the API, so errors.Is(err, ErrNotFound) holds for any 404.
var (
	ErrBadRequest           error = &statusError{400, 400, "bad request"}
	ErrUnauthorized         error = &statusError{401, 401, "unauthorized"}
	ErrPaymentRequired      error = &statusError{402, 402, "payment required"}
	ErrForbidden            error = &statusError{403, 403, "forbidden"}
	ErrNotFound             error = &statusError{404, 404, "not found"}
	ErrMethodNotAllowed     error = &statusError{405, 405, "method not allowed"}
	ErrConflict             error = &statusError{409, 409, "conflict"}
	ErrUnsupportedMediaType error = &statusError{415, 415, "unsupported media type"}
	ErrTooManyRequests      error = &statusError{429, 429, "too many requests"}
	ErrServer               error = &statusError{500, 599, "server error"} // any 5xx
)

// statusError is a sentinel for a status or a range of statuses.
type statusError struct {
	lo, hi int
	text   string
}

func (e *statusError) Error() string {
	if e.lo == e.hi {
		return "apierr: " + strconv.Itoa(e.lo) + " " + e.text
	}
	return "apierr: " + e.text
}

func (e *statusError) matches(status int) bool { return status >= e.lo && status <= e.hi }
