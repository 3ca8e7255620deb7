// Package auth holds the credentials machinery: argon2id password hashing,
// the password rules, TOTP second factors with replay protection, recovery
// codes, random tokens and the encryption of secrets at rest. It knows
// nothing of HTTP or the database.
package auth

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/subtle"
	_ "embed"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Argon2Params are argon2id's cost parameters.
type Argon2Params struct {
	Memory  uint32 // KiB
	Time    uint32
	Threads uint8
}

// DefaultArgon2 costs 64 MiB and about a quarter of a second of one core a
// hash on the reference machine, above OWASP's minimum (19 MiB, t=2, p=1).
// One lane (p=1) keeps a hash on one core, so with the Hasher's concurrency
// bound at half the cores, sign-ins can never take all the CPU from pages.
var DefaultArgon2 = Argon2Params{Memory: 64 * 1024, Time: 3, Threads: 1}

const (
	saltLen = 16
	keyLen  = 32
)

// Hasher hashes and verifies passwords with argon2id, encoded as PHC strings
// ($argon2id$v=19$m=…,t=…,p=…$salt$hash). At most a fixed number of hashes run
// at once, so a storm of sign-ins cannot exhaust memory; the others wait. It
// is safe for concurrent use.
type Hasher struct {
	params Argon2Params
	sem    chan struct{}
}

// NewHasher returns a Hasher with params and at most concurrency hashes at
// a time (at least 1).
func NewHasher(params Argon2Params, concurrency int) *Hasher {
	return &Hasher{params: params, sem: make(chan struct{}, max(concurrency, 1))}
}

func (h *Hasher) acquire(ctx context.Context) error {
	select {
	case h.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (h *Hasher) release() { <-h.sem }

// Hash returns the PHC string of password with a new random salt.
func (h *Hasher) Hash(ctx context.Context, password string) (string, error) {
	if err := h.acquire(ctx); err != nil {
		return "", err
	}
	defer h.release()
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	p := h.params
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, keyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// ErrBadHash means a stored hash is not an argon2id PHC string.
var ErrBadHash = errors.New("auth: stored password hash is not argon2id")

func parsePHC(phc string) (Argon2Params, []byte, []byte, error) {
	parts := strings.Split(phc, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return Argon2Params{}, nil, nil, ErrBadHash
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return Argon2Params{}, nil, nil, ErrBadHash
	}
	var p Argon2Params
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return Argon2Params{}, nil, nil, ErrBadHash
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil {
		return Argon2Params{}, nil, nil, ErrBadHash
	}
	key, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil || len(key) == 0 || len(key) > 1024 {
		return Argon2Params{}, nil, nil, ErrBadHash
	}
	if p.Memory == 0 || p.Time == 0 || p.Threads == 0 || p.Memory > 1<<22 || p.Time > 100 {
		return Argon2Params{}, nil, nil, ErrBadHash
	}
	return p, salt, key, nil
}

// Verify reports whether password matches phc, and whether phc was made
// with weaker parameters than the Hasher's, so the caller should store a new
// hash now that it knows the password.
func (h *Hasher) Verify(ctx context.Context, phc, password string) (ok, rehash bool, err error) {
	p, salt, key, err := parsePHC(phc)
	if err != nil {
		return false, false, err
	}
	if err := h.acquire(ctx); err != nil {
		return false, false, err
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, uint32(len(key))) //nolint:gosec // parsePHC bounds the key's length to 1,024 bytes
	h.release()
	if subtle.ConstantTimeCompare(got, key) != 1 {
		return false, false, nil
	}
	cur := h.params
	return true, p.Memory < cur.Memory || p.Time < cur.Time || p.Threads != cur.Threads, nil
}

// Burn spends the same effort as a verification without a result. Sign-in
// calls it for unknown accounts, so the response time does not reveal
// whether an account exists. It reports false when ctx ended before a
// hashing slot was free.
func (h *Hasher) Burn(ctx context.Context, password string) bool {
	if h.acquire(ctx) != nil {
		return false
	}
	defer h.release()
	p := h.params
	argon2.IDKey([]byte(password), make([]byte, saltLen), p.Time, p.Memory, p.Threads, keyLen)
	return true
}

//go:embed passwords/common.txt
var commonPasswords []byte

// Rules check new passwords as the NCSC and NIST SP 800-63B advise: a
// minimum length, a maximum that still allows pass-phrases, no common or
// breached passwords, nothing built from the user's own name or e-mail, and
// no composition rules. The zero value is not usable; use NewRules.
type Rules struct {
	MinLength int
	MaxLength int
	common    map[string]bool
}

// NewRules returns the rules with the shipped list of 30,000 common
// passwords and a minimum length of min characters (12 when min is 0).
func NewRules(min int) *Rules {
	if min <= 0 {
		min = 12
	}
	r := &Rules{MinLength: min, MaxLength: 256, common: make(map[string]bool, 30000)}
	sc := bufio.NewScanner(bytes.NewReader(commonPasswords))
	for sc.Scan() {
		if w := strings.TrimSpace(sc.Text()); w != "" {
			r.common[strings.ToLower(w)] = true
		}
	}
	return r
}

// Check returns a sentence saying what is wrong with password, or "" when it
// is acceptable. email and name are the user's, which the password must not
// be built from.
func (r *Rules) Check(password, email, name string) string {
	n := utf8.RuneCountInString(password)
	lower := strings.ToLower(password)
	squashed := strings.Join(strings.Fields(lower), "")
	local, _, _ := strings.Cut(strings.ToLower(email), "@")
	switch {
	case n < r.MinLength:
		return fmt.Sprintf("Password must be %d characters or more. A few unrelated words make a strong one that is easy to remember", r.MinLength)
	case n > r.MaxLength:
		return fmt.Sprintf("Password must be %d characters or fewer", r.MaxLength)
	case r.common[lower] || r.common[squashed] || r.common[strings.TrimRight(lower, "0123456789!.")]:
		return "Password is one of the most common passwords, which attackers try first. Choose another"
	case local != "" && len(local) >= 4 && strings.Contains(lower, local):
		return "Password must not contain your email address"
	case name != "" && strings.Contains(squashed, strings.Join(strings.Fields(strings.ToLower(name)), "")):
		return "Password must not contain your name"
	case strings.Count(password, string([]rune(password)[0])) == n:
		return "Password must not be one character repeated"
	}
	return ""
}
