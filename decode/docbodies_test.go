package decode_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// Bodies written from the vendors' documents (../shared/seeds), used by the
// table tests and the benchmarks.
const (
	// exos publishes no body; its document says every error carries "at
	// least an HTTP error code and the specific ErrorCode".
	exosDocBody = `{"ErrorCode":400241,"Message":"Concurrency-Error. The action you tried to execute probably relied on data that has been changed"}`

	// entrecode's example exactly as published in seed 001 (trailing spaces
	// kept): the comma after _links is missing, so it is not valid JSON.
	entrecodePublished = `{
    "status": 400,
    "code": 2202,        
    "title": "Missing property in query string",
    "type": "https://entrecode.de/doc/errors/2202",
    "detail": "count",
    "_links": {
        "up": {
            "title": "Data Manager Home Page",
            "href": "https://datamanager.entrecode.de" 
        },
        "describedby": {
            "title": "Error Description",
            "href": "https://entrecode.de/doc/errors/2202"
        }
    }
    "_embedded": {
        "error": {
            "code": 2201,
            "title": "Missing property in JSON Body",
            "type": "https://entrecode.de/doc/errors/2201",
            "detail": "property"
        }
    }
}`

	ustaDocBody = `{"errors":[{"errorCode":5000, "message":"validation error", "subject":"firstName", "subjectType":"parameter"}]}`

	tapkeyDocBody = `{
   "ErrorCode":"Duplicate",
   "ErrorMessage":"only one grant allowed per lock and user/card",
   "ErrorDetails":"",
   "UserErrorMessage":""
}`

	// RFC 9457 §3, second example.
	problemDocBody = `{
 "type": "https://example.net/validation-error",
 "title": "Your request is not valid.",
 "errors": [
             {
               "detail": "must be a positive integer",
               "pointer": "#/age"
             },
             {
               "detail": "must be 'green', 'red' or 'blue'",
               "pointer": "#/profile/color"
             }
          ]
}`
)

// entrecodeDocBody is entrecode's published example with the comma it lacks
// after _links.
var entrecodeDocBody = strings.Replace(entrecodePublished, "}\n    \"_embedded\"", "},\n    \"_embedded\"", 1)

func TestEntrecodeDocBodies(t *testing.T) {
	assert.False(t, json.Valid([]byte(entrecodePublished)), "as published: the comma after _links is missing")
	assert.True(t, json.Valid([]byte(entrecodeDocBody)), "with the comma added")
	assert.Equal(t, len(entrecodePublished)+1, len(entrecodeDocBody), "one comma added, nothing else")
}
