package auth

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
)

// NewToken returns a random token of n bytes, URL-safe base64 encoded.
func NewToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("auth: no randomness: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// HashToken returns the hex SHA-256 of a high-entropy token (a session
// cookie, a reset link, an API token, a recovery code). A fast hash is right
// here: the tokens are random, so there is nothing to guess, and it lets the
// database index and look them up. Only the hash is stored.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// Box encrypts small secrets at rest (TOTP seeds) with AES-256-GCM under a
// key from configuration, so a copy of the database alone does not reveal
// them. It is safe for concurrent use.
type Box struct{ aead cipher.AEAD }

// NewBox returns a Box for a 32-byte key.
func NewBox(key []byte) (*Box, error) {
	if len(key) != 32 {
		return nil, fmt.Errorf("auth: secret key must be 32 bytes, got %d", len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Box{aead: aead}, nil
}

// Seal encrypts plain and returns base64 text.
func (b *Box) Seal(plain string) string {
	nonce := make([]byte, b.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		panic("auth: no randomness: " + err.Error())
	}
	return base64.StdEncoding.EncodeToString(b.aead.Seal(nonce, nonce, []byte(plain), nil))
}

// ErrSealed means a sealed value could not be opened: the key is wrong or
// the value was changed.
var ErrSealed = errors.New("auth: cannot decrypt secret (wrong ALLIANCE_SECRET_KEY?)")

// Open decrypts text made by Seal.
func (b *Box) Open(text string) (string, error) {
	raw, err := base64.StdEncoding.DecodeString(text)
	if err != nil || len(raw) < b.aead.NonceSize() {
		return "", ErrSealed
	}
	plain, err := b.aead.Open(nil, raw[:b.aead.NonceSize()], raw[b.aead.NonceSize():], nil)
	if err != nil {
		return "", ErrSealed
	}
	return string(plain), nil
}
