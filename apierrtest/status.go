package apierrtest

import (
	"github.com/accessapi/apierr"
	"github.com/accessapi/apierr/codes/tapkey"
	"github.com/accessapi/apierr/codes/usta"
)

// StatusFor returns the HTTP status the fakes send with code: the status the
// vendor's catalogue documents for it when there is one (every exos and
// entrecode code). Tapkey documents no status per code and USTA few, so the
// fakes map them as follows; any other code gets 400.
//
//	Tapkey  InsufficientAccountLevel, InsufficientSmartphoneUserContingent → 402
//	        Duplicate, EmailAddressInUse → 409
//	        EmailNotVerified → 403; every other code → 400
//	USTA    3001 → 404; 4003, 4004, 4005 → 401; 4006 → 403
//	        9001, 9003 → 500; every other code (and 200601 by its parent) → 400
func StatusFor[C apierr.Code](code C) int {
	if s := code.Info().Status; s != 0 {
		return s
	}
	switch c := any(code).(type) {
	case tapkey.Code:
		return tapkeyStatus(c)
	case usta.Code:
		return ustaStatus(c)
	}
	return 400
}

func tapkeyStatus(c tapkey.Code) int {
	switch c {
	case tapkey.InsufficientAccountLevel, tapkey.InsufficientSmartphoneUserContingent:
		return 402
	case tapkey.Duplicate, tapkey.EmailAddressInUse:
		return 409
	case tapkey.EmailNotVerified:
		return 403
	}
	return 400
}

func ustaStatus(c usta.Code) int {
	switch c.Parent() {
	case usta.EntityNotFound:
		return 404
	case usta.AuthenticationTokenInvalid, usta.AuthenticationError, usta.BackendSystemTokenInvalid:
		return 401
	case usta.AccessDenied:
		return 403
	case usta.UnexpectedSystemError, usta.MailTriggerError:
		return 500
	}
	return 400
}
