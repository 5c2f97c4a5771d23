package redisfleet_test

import (
	"fmt"

	"github.com/accessapi/apierr"
	"github.com/accessapi/apierr/redisfleet"
	"github.com/redis/go-redis/v9"
)

// A fleet needs a go-redis client whose commands obey the context's deadline
// (ClientOptions) and the 32-byte key that every worker shares. New does not
// contact Redis.
func ExampleNew() {
	rdb := redis.NewClient(redisfleet.ClientOptions("unix", "/run/redis/redis.sock"))
	defer rdb.Close()

	_, err := redisfleet.New(rdb, []byte("a passphrase is not a key"))
	fmt.Println(err)

	key := make([]byte, redisfleet.KeySize) // in production: 32 random bytes from a secret store
	fleet, err := redisfleet.New(rdb, key, redisfleet.WithPrefix("provisioning"))
	fmt.Println(fleet != nil, err)

	plain := redis.NewClient(&redis.Options{Addr: "localhost:6379"}) // commands ignore deadlines
	defer plain.Close()
	_, err = redisfleet.New(plain, key)
	fmt.Println(err != nil)
	// Output:
	// redisfleet: the key must be 32 bytes (AES-256), not 25
	// true <nil>
	// true
}

// A Fleet also shares the server's limits (apierr.FleetLimits): with it,
// WithRateLimit and WithMaxInFlight bound the whole fleet, not each worker,
// and a throttle in one worker holds all of them back. A worker that cannot
// reach Redis keeps its share (1/N) and never fails a call for it.
func ExampleFleet_limits() {
	rdb := redis.NewClient(redisfleet.ClientOptions("unix", "/run/redis/redis.sock"))
	defer rdb.Close()
	fleet, err := redisfleet.New(rdb, make([]byte, redisfleet.KeySize))
	if err != nil {
		fmt.Println(err)
		return
	}
	_, shared := apierr.Fleet(fleet).(apierr.FleetLimits)
	fmt.Println("limits shared:", shared)

	client, err := apierr.New(
		apierr.WithBaseURL("https://usta.example.com/api/"),
		apierr.WithFleet(fleet),
		apierr.WithRateLimit(100, 10), // 100 requests a second for the fleet
		apierr.WithMaxInFlight(5),     // USTA: 5 connections per IP, whichever worker opens them
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer client.Close() // stops its heartbeat; its in-flight slots expire on their own
	fmt.Println("client ready")
	// Output:
	// limits shared: true
	// client ready
}
