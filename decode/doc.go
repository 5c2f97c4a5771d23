// Package decode turns error responses into typed errors. Each decoder is an
// apierr.Decoder for one API's body shape, plus RFC 9457 problem details and
// automatic detection:
//
//	Exos      → *apierr.Problem[exos.Code]
//	Entrecode → *apierr.Problem[entrecode.Code]
//	USTA      → *apierr.Problem[usta.Code]
//	Tapkey    → *apierr.Problem[tapkey.Code]
//	Problem   → *apierr.Problem[codes.Generic]
//	Auto      → the vendor's type when it recognises the body, else *apierr.Problem[codes.Generic]
//
// The errors.As target must match the code type of the configured decoder:
// with decode.Tapkey, use a *apierr.Problem[tapkey.Code]. With Auto, try the
// vendor's type, or use errors.Is with a code or a status sentinel, which
// work whatever the type.
//
// Decoders are lenient: they never fail and never panic. Every decoder reads
// every shape the four APIs and common frameworks send (entrecode HAL, USTA
// errors arrays, Tapkey PascalCase, exos ErrorCode or OData, RFC 9457 with
// ASP.NET errors maps, belgif issues and zalando causes), invalid or
// truncated JSON (what could be read before the error is kept), HTML and
// plain text (the Title is taken from the text), and empty bodies. The raw
// body stays on the Problem; Problem.Members decodes members the Problem has
// no field for.
package decode
