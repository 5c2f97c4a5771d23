// Package apierrotel reports what an apierr.Client does as OpenTelemetry
// traces and metrics. It is its own module, so that integrators who do not
// use OpenTelemetry do not pull it in; it depends on the OpenTelemetry API
// only, and the application chooses the SDK and exporters.
//
//	client, err := apierr.New(apierr.WithBaseURL(base),
//		apierr.WithObserver(apierrotel.New(
//			apierrotel.WithTracerProvider(tp),
//			apierrotel.WithMeterProvider(mp))))
//
// Traces. Each Do is an INTERNAL span, "apierr GET", that holds the call's
// waits (backoff, Retry-After, gate holds, the learned and the configured
// rate, a request in flight to end) as "apierr.wait" events. Under it, each attempt, the 401 replay and every retry included,
// is a CLIENT span named by its method with the HTTP client semantic
// conventions: http.request.method, server.address, server.port, url.full
// (secrets redacted), http.response.status_code, http.request.resend_count
// on resends, and error.type: the vendor's code when the body had one
// ("Duplicate", "400241"), else the status, else the Go error's type. A
// token request, an exos login or logout is a span of its own ("apierr
// token", "apierr login", "apierr logout"), under the call that needed it.
// Waits sit on the call span and not on an attempt's, because no request
// is in flight while the client waits: a CLIENT span lasts as long as its
// request, so that its duration matches http.client.request.duration.
//
// Metrics: http.client.request.duration (seconds, per attempt, the
// semantic conventions' histogram) and the counters apierr.client.retries,
// apierr.client.token_requests, apierr.client.logins,
// apierr.client.logouts, apierr.client.lockouts, apierr.client.gate_holds,
// apierr.client.limit_waits (by apierr.wait.reason: learned-rate, rate,
// in-flight), apierr.client.retry_budget.exhausted and
// apierr.client.fleet.fallbacks,
// with the histograms apierr.client.wait.duration (every wait of known
// length: an in-flight wait's is not) and apierr.client.auth.duration.
//
// No attribute or event holds a token, a client secret or an exos key,
// identifier or password: URLs arrive redacted, errors are recorded by type
// or code and never by their text.
//
// Trace context is injected into outgoing requests only with
// WithPropagator: the vendors' APIs do not use it.
package apierrotel
