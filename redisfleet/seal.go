package redisfleet

import (
	"crypto/rand"
	"errors"
)

// sealVersion is the first byte of a sealed value: the format, so that a
// later one can be told apart.
const sealVersion = 1

// errSealed covers every value that does not open: another fleet key, a
// damaged or foreign value. It never says more (no secret, no plaintext).
var errSealed = errors.New("redisfleet: a stored secret does not open with this fleet's key (another key, or a damaged value)")

// seal encrypts secret for the keys in k: version, key id, random nonce,
// then AES-256-GCM with the key names as additional data, so a value copied
// to another scope does not open there.
func (f *Fleet) seal(k keys, secret []byte) ([]byte, error) {
	ns := f.aead.NonceSize()
	out := make([]byte, 2+ns, 2+ns+len(secret)+f.aead.Overhead())
	out[0], out[1] = sealVersion, f.keyID
	if _, err := rand.Read(out[2:]); err != nil {
		return nil, errors.New("redisfleet: no random nonce: " + err.Error())
	}
	return f.aead.Seal(out, out[2:], secret, []byte(k.base)), nil
}

// open decrypts a value made by seal.
func (f *Fleet) open(k keys, sealed []byte) ([]byte, error) {
	ns := f.aead.NonceSize()
	if len(sealed) < 2+ns+f.aead.Overhead() || sealed[0] != sealVersion || sealed[1] != f.keyID {
		return nil, errSealed
	}
	plain, err := f.aead.Open(nil, sealed[2:2+ns], sealed[2+ns:], []byte(k.base))
	if err != nil {
		return nil, errSealed
	}
	return plain, nil
}
