package apierr

// HTTP2Loss exposes http2Loss to the external tests, which own the raw
// HTTP/2 server.
var HTTP2Loss = http2Loss
