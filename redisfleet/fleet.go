package redisfleet

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"

	"github.com/accessapi/apierr"
	"github.com/redis/go-redis/v9"
)

// KeySize is the length of the key New takes (AES-256).
const KeySize = 32

// Fleet is apierr.Fleet on Redis; see the package documentation. It is safe
// for concurrent use and may serve several clients, of one identity or many.
type Fleet struct {
	rdb    redis.UniversalClient
	aead   cipher.AEAD
	keyID  byte   // first byte of SHA-256(key): tells a wrong key from a damaged value
	tagKey []byte // HMAC key for the key names, derived from the fleet key
	prefix string
	cfg    config
	br     *breaker
}

var _ apierr.Fleet = (*Fleet)(nil)

// New returns a Fleet that keeps its state in rdb. key is the 32-byte
// AES-256-GCM key that every process of the fleet shares; it seals the
// secrets stored in Redis, and New fails on any other length. rdb must bind
// its commands to the context's deadline (ContextTimeoutEnabled; see
// ClientOptions), unless WithUnboundedClient is given. New does not contact
// Redis.
func New(rdb redis.UniversalClient, key []byte, opts ...Option) (*Fleet, error) {
	if rdb == nil {
		return nil, errors.New("redisfleet: nil redis client")
	}
	if len(key) != KeySize {
		return nil, errors.New("redisfleet: the key must be " + strconv.Itoa(KeySize) +
			" bytes (AES-256), not " + strconv.Itoa(len(key)))
	}
	cfg := defaultConfig()
	for _, o := range opts {
		if o == nil {
			return nil, errors.New("redisfleet: nil option")
		}
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	if err := checkClient(rdb, cfg.allowUnbound); err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, errors.New("redisfleet: " + err.Error())
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, errors.New("redisfleet: " + err.Error())
	}
	sum := sha256.Sum256(key)
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte("apierr/redisfleet key names"))
	return &Fleet{
		rdb: rdb, aead: aead, keyID: sum[0], tagKey: mac.Sum(nil),
		prefix: cfg.prefix, cfg: cfg,
		br: newBreaker(cfg.breakErrors, cfg.breakPause, cfg.now),
	}, nil
}

// keys are the Redis keys of one scope. The hash tag in braces keeps them in
// one Cluster slot, so that a script may touch several.
type keys struct {
	base    string // "prefix:{tag}:"; also the sealed values' additional data
	token   string // hash {g: generation, s: sealed secret}
	gen     string // generation counter
	fence   string // fencing counter
	lease   string // "fence|holder", with the lease's expiry
	holders string // sorted set of session holders by expiry
	lockout string // hash {status, code, reauth}, with the lockout's expiry

	// The shared limits (limits.go).
	gate    string // "1" while the gate is closed, with the closure's expiry
	rate    string // hash {v: version, s: the learned rate's state}
	bucket  string // prefix of the GCRA buckets: bucket+name, hash {t, r}
	sends   string // ring hash of the send counts
	budget  string // the retry budget's tokens spent
	slots   string // sorted set of in-flight slots by expiry
	members string // sorted set of live processes by expiry
}

// keysFor names scope's keys. The tag is a keyed hash of scope: without the
// fleet key, a key name does not even tell which identity it belongs to.
func (f *Fleet) keysFor(scope string) keys {
	mac := hmac.New(sha256.New, f.tagKey)
	mac.Write([]byte(scope))
	base := f.prefix + ":{" + hex.EncodeToString(mac.Sum(nil)[:16]) + "}:"
	return keys{
		base: base, token: base + "token", gen: base + "gen", fence: base + "fence",
		lease: base + "lease", holders: base + "holders", lockout: base + "lockout",
		gate: base + "gate", rate: base + "rate", bucket: base + "bucket:", sends: base + "sends",
		budget: base + "budget", slots: base + "slots", members: base + "members",
	}
}
