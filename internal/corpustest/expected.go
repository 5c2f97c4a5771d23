package corpustest

// Want is what a corpus body must decode to, written from the file names
// and the notes in SOURCES.md (not from a decoder's output).
type Want struct {
	API       string // the decoder that reads it and the type decode.Auto must pick
	Code      string // the code as sent; "" for none (an RFC 9457 `type` for generic)
	SubErrors int    // _embedded.error, errors, issues or cause entries
}

// Expected is the Want of every corpus body, by file name.
var Expected = map[string]Want{
	"aspnetcore-validation-2.2-traceid.json":          {"generic", "", 1},
	"aspnetcore-validationproblem-errors-map.json":    {"generic", "https://tools.ietf.org/html/rfc7231#section-6.5.1", 1},
	"aspnetcore-validationproblem-no-errors-bug.json": {"generic", "https://tools.ietf.org/html/rfc7231#section-6.5.1", 0},
	"belgif-problem-issues-array.json":                {"generic", "urn:problem-type:belgif:badRequest", 1},
	"entrecode-dmjs-2000-internal.json":               {"entrecode", "2000", 0},
	"entrecode-dmjs-2201-missing-property.json":       {"entrecode", "2201", 0},
	"entrecode-doc-2202-verbatim-invalid.json":        {"entrecode", "2202", 1},
	"entrecode-ecsdk-2102-notfound.json":              {"entrecode", "2102", 0},
	"entrecode-ecsdk-2401-invalid-token.json":         {"entrecode", "2401", 0},
	"entrecode-ecsdk-2402-outdated-token.json":        {"entrecode", "2402", 0},
	"entrecode-ecsdk-embedded-array.json":             {"entrecode", "1100", 2},
	"entrecode-ecsdk-embedded-single.json":            {"entrecode", "1100", 1},
	"entrecode-javasdk-2100-empty.json":               {"entrecode", "2100", 0},
	"entrecode-javasdk-2100-withdetail.json":          {"entrecode", "2100", 0},
	"entrecode-javasdk-2102.json":                     {"entrecode", "2102", 0},
	"entrecode-javasdk-2211.json":                     {"entrecode", "2211", 0},
	"entrecode-javasdk-2213.json":                     {"entrecode", "2213", 0},
	"rfc9457-out-of-credit.json":                      {"generic", "https://example.com/probs/out-of-credit", 0},
	"rfc9457-validation-errors.json":                  {"generic", "https://example.net/validation-error", 2},
	"spring-boot-problemdetail-validation.json":       {"generic", "", 0}, // about:blank
	"spring-problemdetail-compact.json":               {"generic", "", 0}, // about:blank
	"tapkey-duplicate-grant.json":                     {"tapkey", "Duplicate", 0},
	"usta-bare-3001.json":                             {"usta", "3001", 0},
	"usta-errors-array-3001.json":                     {"usta", "3001", 0},
	"usta-errors-array-5000-validation.json":          {"usta", "5000", 0},
	"zalando-problem-503-detail.json":                 {"generic", "", 0},
	"zalando-problem-cause-chain.json":                {"generic", "https://example.org/order-failed", 1},
	"zalando-problem-notfound-minimal.json":           {"generic", "", 0},
	"zalando-problem-out-of-stock-extension.json":     {"generic", "https://example.org/out-of-stock", 0},
	"zalando-springweb-405.json":                      {"generic", "", 0},
	"zalando-springweb-406.json":                      {"generic", "", 0},
}
