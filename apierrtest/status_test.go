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
		got  int
		want int
	}{
		{StatusFor(exos.ConcurrencyError), 400},
		{StatusFor(exos.UnknownAPIKeyOrIdentifier), 401},
		{StatusFor(exos.MaximumFailedLoginsReached), 429},
		{StatusFor(exos.MissingClientID), 500},
		{StatusFor(exos.MethodNotAllowed), 400},
		{StatusFor(exos.Code(123456)), 400},
		{StatusFor(entrecode.TooManyWrongLoginAttempts), 429},
		{StatusFor(entrecode.Code(2102)), 404},
		{StatusFor(entrecode.InternalError), 500},
		{StatusFor(usta.EntityNotFound), 404},
		{StatusFor(usta.USPTANumberNotUnique), 400},
		{StatusFor(usta.AuthenticationTokenInvalid), 401},
		{StatusFor(usta.AccessDenied), 403},
		{StatusFor(usta.UnexpectedSystemError), 500},
		{StatusFor(usta.Code(900101)), 500},
		{StatusFor(usta.ValidationError), 400},
		{StatusFor(tapkey.Duplicate), 409},
		{StatusFor(tapkey.InsufficientSmartphoneUserContingent), 402},
		{StatusFor(tapkey.EmailNotVerified), 403},
		{StatusFor(tapkey.Generic), 400},
		{StatusFor(tapkey.Code("SomethingNew")), 400},
	} {
		assert.Equal(t, tc.want, tc.got)
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
