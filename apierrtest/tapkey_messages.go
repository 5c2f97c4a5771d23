package apierrtest

import (
	"strconv"
	"strings"

	"github.com/accessapi/apierr/codes/tapkey"
)

// tapkeyUserMessages are the fake's UserErrorMessage texts, in English and
// German. Tapkey publishes none; these are written for the fake.
var tapkeyUserMessages = map[tapkey.Code][2]string{
	tapkey.InsufficientAccountLevel: {
		"Your subscription does not include this feature.",
		"Ihr Abonnement umfasst diese Funktion nicht."},
	tapkey.InsufficientSmartphoneUserContingent: {
		"You have reached the number of smartphone users your plan allows.",
		"Sie haben die Anzahl an Smartphone-Benutzern erreicht, die Ihr Tarif erlaubt."},
	tapkey.Generic: {
		"The operation could not be completed.",
		"Der Vorgang konnte nicht abgeschlossen werden."},
	tapkey.Duplicate: {
		"This person already has access to this lock.",
		"Diese Person hat bereits Zugang zu diesem Schloss."},
	tapkey.CardCapacityExceeded: {
		"The card has no room for another access.",
		"Auf der Karte ist kein Platz für eine weitere Berechtigung."},
	tapkey.TimeRestrictionIcalTooLarge: {
		"The time restriction is too long.",
		"Die Zeitbeschränkung ist zu lang."},
	tapkey.TimeRestrictionIcalNotSupportedByLock: {
		"This lock does not support time restrictions. A firmware update may help.",
		"Dieses Schloss unterstützt keine Zeitbeschränkungen. Ein Firmware-Update kann helfen."},
	tapkey.TimeRestrictionIcalTooComplex: {
		"The time restriction is too complex. Try fewer rules.",
		"Die Zeitbeschränkung ist zu komplex. Versuchen Sie es mit weniger Regeln."},
	tapkey.TimeRestrictionIcalMalformed: {
		"The time restriction is not valid.",
		"Die Zeitbeschränkung ist ungültig."},
	tapkey.TimeRestrictionIcalIllegalTimezone: {
		"The time restriction uses a time zone that is not supported.",
		"Die Zeitbeschränkung verwendet eine nicht unterstützte Zeitzone."},
	tapkey.ProtocolVersionTooOld: {
		"This lock needs a firmware update for this kind of access.",
		"Dieses Schloss benötigt für diese Art von Zugang ein Firmware-Update."},
	tapkey.EmailAddressInUse: {
		"This email address is already in use.",
		"Diese E-Mail-Adresse wird bereits verwendet."},
	tapkey.EmailNotVerified: {
		"Please verify your email address first.",
		"Bitte bestätigen Sie zuerst Ihre E-Mail-Adresse."},
	tapkey.EmailChangeNotSupported: {
		"The email address cannot be changed.",
		"Die E-Mail-Adresse kann nicht geändert werden."},
}

// userMessage returns code's UserErrorMessage in the language the
// Accept-Language header prefers (English unless German comes first), or ""
// for a code without one.
func userMessage(code tapkey.Code, acceptLanguage string) string {
	m, ok := tapkeyUserMessages[code]
	if !ok {
		return ""
	}
	if preferredLanguage(acceptLanguage) == "de" {
		return m[1]
	}
	return m[0]
}

// preferredLanguage returns "de" or "en": the supported language with the
// highest q-value in an Accept-Language header; English when none is listed.
func preferredLanguage(h string) string {
	best, bestQ := "en", 0.0
	for _, part := range strings.Split(h, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		lang, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(tag)), "-")
		if lang != "en" && lang != "de" {
			continue
		}
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil {
				continue
			}
			q = f
		}
		if q > bestQ {
			best, bestQ = lang, q
		}
	}
	return best
}
