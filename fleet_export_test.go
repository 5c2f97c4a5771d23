package apierr

import "time"

// SetFleetHeartbeat sets how often c's fleet store heartbeats its exos
// session (30 s / 3 by default); call it before c's first request.
func SetFleetHeartbeat(c *Client, d time.Duration) {
	c.auth.(*tokenAuth).cache.store.(*fleetStore).every = d
}
