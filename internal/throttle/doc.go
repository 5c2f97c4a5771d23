// Package throttle keeps a client within what the server allows: one gate
// per API that a throttle or an outage closes, a send rate learned from
// throttles, optional configured limits (a rate, a cap on requests in
// flight), and the retry budget.
//
// A Limiter is shared by every caller of one client. Before each attempt a
// caller calls Acquire, which returns at once while nothing limits it (one
// atomic load, no lock, no allocation) and otherwise waits, within the
// caller's deadline, for the gate to open and for a send slot. After the
// attempt it reports the outcome with Permit.Done.
//
// The state that a fleet of processes may share (the gate's reopening time,
// the learned rate, the send buckets, the budget's tokens) lives behind the
// Store interface; NewLocal is the in-process Store. Everything that reads
// time or randomness does so through one Clock, so tests run on a fake one.
package throttle
