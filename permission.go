package apierr

import (
	"errors"

	"github.com/accessapi/apierr/codes/entrecode"
	"github.com/accessapi/apierr/codes/exos"
)

// permissionRefusal reports whether err carries a code that the catalogue
// documents as a permission refusal ("Insufficient rights", "User has no
// authorization"): sent with 401, it says the identity may not do this, not
// that the token is bad, so the token is kept and the request not replayed.
func permissionRefusal(err error) bool {
	var p problem
	if !errors.As(err, &p) {
		return false
	}
	info, ok := p.codeInfo()
	return ok && info.Known && interimPermission(err) // issue 10: becomes info.Permission once the catalogue has that column (branch cmd)
}

// interimPermission stands in for codes.Info.Permission until the
// catalogue carries it: the documented permission refusals that APIs send
// with 401.
func interimPermission(err error) bool {
	for _, c := range [...]error{entrecode.InsufficientRights, entrecode.InsufficientRightsForMethod, exos.UserHasNoAuthorization} {
		if errors.Is(err, c) {
			return true
		}
	}
	return false
}
