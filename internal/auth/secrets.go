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
	"io/fs"
	"os"
	"strings"
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

// ErrKeyMissing means the deployment's secret key is neither configured nor
// in its key file. The key signs the audit log and opens sealed secrets, so
// a database cannot be checked or fully used without the key it was written
// with; a new key is no substitute.
var ErrKeyMissing = errors.New("secret key missing")

// KeyFileBytes is how long a key is: 32 random bytes, written as 64 hex
// characters and a newline.
const KeyFileBytes = 32

// ReadKeyFile reads a secret key file (64 hex characters). A file that does
// not exist is ErrKeyMissing, wrapped with its path; it is never created
// here.
func ReadKeyFile(path string) ([]byte, error) {
	b, err := os.ReadFile(path) //nolint:gosec // the operator names the key file
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: no key file at %s", ErrKeyMissing, path)
	}
	if err != nil {
		return nil, fmt.Errorf("secret key file: %w", err)
	}
	k, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(k) != KeyFileBytes {
		return nil, fmt.Errorf("secret key file %s: want 64 hex characters (make one with: openssl rand -hex 32)", path)
	}
	return k, nil
}

// WriteKeyFile writes key to a new file at path, readable and writable by
// its owner only (0600). It refuses to replace an existing file, so no key
// is ever overwritten.
func WriteKeyFile(path string, key []byte) error {
	if len(key) != KeyFileBytes {
		return fmt.Errorf("secret key must be %d bytes, got %d", KeyFileBytes, len(key))
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600) //nolint:gosec // the operator names the key file
	if err != nil {
		return fmt.Errorf("write secret key file: %w", err)
	}
	if _, err := f.WriteString(hex.EncodeToString(key) + "\n"); err != nil {
		f.Close()
		os.Remove(path)
		return fmt.Errorf("write secret key file %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("write secret key file %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write secret key file %s: %w", path, err)
	}
	return nil
}

// NewKey returns a new random secret key.
func NewKey() []byte {
	k := make([]byte, KeyFileBytes)
	if _, err := rand.Read(k); err != nil {
		panic("auth: no randomness: " + err.Error())
	}
	return k
}
