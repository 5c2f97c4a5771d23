package apierr

import "errors"

// permissionRefusal reports whether err carries a code that the catalogue
// documents as a permission refusal (codes.Info.Permission: entrecode 2410
// "Insufficient rights", exos 300010 "User has no authorization", …). Sent
// with 401, such a code says the identity may not do this, not that the
// token is bad: the token is kept and the request is not replayed.
func permissionRefusal(err error) bool {
	var p problem
	if !errors.As(err, &p) {
		return false
	}
	info, ok := p.codeInfo()
	return ok && info.Permission
}
