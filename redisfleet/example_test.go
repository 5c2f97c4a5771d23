package redisfleet_test

import (
	"fmt"

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
