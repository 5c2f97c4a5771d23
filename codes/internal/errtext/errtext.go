// Package errtext spells the Error text of the catalogue codes, so the four
// codes packages write it one way.
package errtext

import "github.com/accessapi/apierr/codes"

// Of is the text of a catalogue code's Error method: "<api>: <code>",
// followed by ": <description>" when the code is documented.
func Of(api, code string, info codes.Info) string {
	if info.Description == "" {
		return api + ": " + code
	}
	return api + ": " + code + ": " + info.Description
}
