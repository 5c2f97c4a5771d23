package apierrtest

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/accessapi/apierr/codes/entrecode"
	"github.com/accessapi/apierr/codes/exos"
	"github.com/accessapi/apierr/codes/tapkey"
	"github.com/accessapi/apierr/codes/usta"
)

func TestStatusFor(t *testing.T) {
	// Expected values: the seeds' tables (exos, entrecode, USTA 3001) and the
	// mapping documented on StatusFor.
	for _, tc := range []struct {
		name string
		got  int
		want int
	}{
		{"exos.ConcurrencyError", StatusFor(exos.ConcurrencyError), 400},
		{"exos.UnknownAPIKeyOrIdentifier", StatusFor(exos.UnknownAPIKeyOrIdentifier), 401},
		{"exos.MaximumFailedLoginsReached", StatusFor(exos.MaximumFailedLoginsReached), 429},
		{"exos.MissingClientID", StatusFor(exos.MissingClientID), 500},
		{"exos.MethodNotAllowed", StatusFor(exos.MethodNotAllowed), 400},
		{"exos.Code(123456)", StatusFor(exos.Code(123456)), 400},
		{"entrecode.TooManyWrongLoginAttempts", StatusFor(entrecode.TooManyWrongLoginAttempts), 429},
		{"entrecode.Code(2102)", StatusFor(entrecode.Code(2102)), 404},
		{"entrecode.InternalError", StatusFor(entrecode.InternalError), 500},
		{"usta.EntityNotFound", StatusFor(usta.EntityNotFound), 404},
		{"usta.USPTANumberNotUnique", StatusFor(usta.USPTANumberNotUnique), 400},
		{"usta.AuthenticationTokenInvalid", StatusFor(usta.AuthenticationTokenInvalid), 401},
		{"usta.AccessDenied", StatusFor(usta.AccessDenied), 403},
		{"usta.UnexpectedSystemError", StatusFor(usta.UnexpectedSystemError), 500},
		{"usta.Code(900101)", StatusFor(usta.Code(900101)), 500},
		{"usta.ValidationError", StatusFor(usta.ValidationError), 400},
		{"tapkey.Duplicate", StatusFor(tapkey.Duplicate), 409},
		{"tapkey.InsufficientSmartphoneUserContingent", StatusFor(tapkey.InsufficientSmartphoneUserContingent), 402},
		{"tapkey.EmailNotVerified", StatusFor(tapkey.EmailNotVerified), 403},
		{"tapkey.Generic", StatusFor(tapkey.Generic), 400},
		{"tapkey.Code('SomethingNew')", StatusFor(tapkey.Code("SomethingNew")), 400},
	} {
		t.Run(tc.name, func(t *testing.T) { assert.Equal(t, tc.want, tc.got) })
	}
}

func TestEveryTapkeyCodeHasUserMessages(t *testing.T) {
	for _, c := range tapkey.All() {
		t.Run(string(c), func(t *testing.T) {
			en, de := userMessage(c, "en"), userMessage(c, "de")
			assert.NotEmpty(t, en)
			assert.NotEmpty(t, de)
			assert.NotEqual(t, en, de)
		})
	}
	assert.Len(t, tapkeyUserMessages, len(tapkey.All()), "no message for an undocumented code")
}

func TestPreferredLanguage(t *testing.T) {
	for _, tc := range []struct{ header, want string }{
		{"", "en"},
		{"de", "de"},
		{"DE-at", "de"},
		{"de-AT, en;q=0.5", "de"},
		{"en;q=0.4, de;q=0.8", "de"},
		{"fr, de;q=0.1", "de"},
		{"fr", "en"},
		{"de;q=0", "en"},
		{"de;q=abc", "en"},
		{"en, de", "en"},
		{"*", "en"},
		{",,;;", "en"},
	} {
		t.Run(fmt.Sprintf("%q", tc.header), func(t *testing.T) {
			assert.Equal(t, tc.want, preferredLanguage(tc.header))
		})
	}
}

func FuzzPreferredLanguage(f *testing.F) {
	for _, s := range []string{"", "de-AT, en;q=0.5", "en;q=0.4, de;q=0.8", "de;q=abc", "fr, de;q=0.1", "de;q=1e308"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, h string) {
		if got := preferredLanguage(h); got != "en" && got != "de" {
			t.Fatalf("preferredLanguage(%q) = %q", h, got)
		}
	})
}

func FuzzLoginBody(f *testing.F) {
	for _, s := range []string{
		`{"tenantId":1,"requestChannel":0,"userName":"admin","password":"pw"}`,
		`{"tenantId":"1","username":"admin","Password":"pw"}`,
		`{"userName":3}`, `[]`, `null`, `"x"`, `{`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		user, password, ok := loginBody(body)
		if !ok && (user != "" || password != "") {
			t.Fatalf("credentials from a body that did not parse: %q", body)
		}
	})
}
