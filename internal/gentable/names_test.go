package gentable

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestDeriveName(t *testing.T) {
	for _, tc := range []struct{ desc, want string }{
		{"Validation Error", "ValidationError"},
		{"Unknown API key or Identifier", "UnknownAPIKeyOrIdentifier"},
		{"Concurrency-Error. The action you tried to execute probably relied on data that has been changed", "ConcurrencyError"},
		{"Internal Error. No further information disclosured to client.", "InternalError"},
		{"Maximum number of concurrent users reached", "MaximumConcurrentUsersReached"},
		{"Returned if there is invalid data", "InvalidData"},
		{"If a visit already exists", "VisitAlreadyExists"},
		{"if a visitor company department could not be found", "VisitorCompanyDepartmentCouldNotBeFound"},
		{"There was an office flow connection error", "OfficeFlowConnectionError"},
		{"The password complexity is insufficient", "PasswordComplexityInsufficient"},
		{"authentication token is invalid", "AuthenticationTokenInvalid"},
		{"DataType and DataFormat doesn't fit", "DataTypeAndDataFormatDoesNotFit"},
		{"Objects or some of its values are not unique", "ObjectsOrSomeOfItsValuesNotUnique"},
		{"Missing category(group) authorisation", "MissingCategoryAuthorisation"},
		{"Too many wrong login attempts (on login, only 1451 is defined)", "TooManyWrongLoginAttempts"},
		{"Assigning loxtop depot(s) to a person failed", "AssigningLoxtopDepotsToPersonFailed"},
		{"Missing clientId", "MissingClientID"},
		{"Master media LegicUid and MediumUid are the same", "MasterMediaLegicUIDAndMediumUIDSame"},
		{"Returned if there is invalid dateTime format. Valid format yyy-MM-ddTHH:mm:ss", "InvalidDateTimeFormat"},
		{"Returned if Rabbit Mq Message could not be published", "RabbitMQMessageCouldNotBePublished"},
		{"Missing property in JSON body", "MissingPropertyInJSONBody"},
		{"eMail address is unavailable", "EmailAddressUnavailable"},
		{"HTTP message not readable error", "HTTPMessageNotReadableError"},
		{"Lower levels are not possible!", "LowerLevelsNotPossible"},
		{">The command is not defined", "CommandNotDefined"},
		{"Id", "ID"},
		{"", ""},
		{"(only an aside)", ""},
		{"the a an", ""},
		{"Größe über", "GrEBer"}, // non-ASCII letters split words: names stay ASCII
	} {
		t.Run(tc.desc, func(t *testing.T) {
			assert.Equal(t, tc.want, DeriveName(tc.desc))
		})
	}
}

func TestValidName(t *testing.T) {
	for name, want := range map[string]bool{
		"ConcurrencyError": true, "ID": true, "X400220": true,
		"": false, "concurrencyError": false, "4xx": false, "Code": false, "All": false, "Has Space": false,
	} {
		t.Run(name, func(t *testing.T) { assert.Equal(t, want, validName(name)) })
	}
}
