// Package errbody is the one lenient scanner of API error bodies. decode's
// decoders build their Problems from its Envelope, and the root package
// reads exos login errors with it, so that a body means the same thing on
// every path.
//
// Read fills an Envelope from any body (a JSON object read member by member
// without reflection, a JSON array or string, HTML, plain text, nothing);
// Detect names the vendor whose shape the body has. Both are deterministic:
// the same bytes give the same Envelope and the same API every time (no map
// iteration decides anything), and neither fails or panics.
package errbody
