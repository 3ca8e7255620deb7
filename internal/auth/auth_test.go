package auth

import (
	"context"
	"strings"
	"testing"
	"time"
)

var cheap = Argon2Params{Memory: 8 * 1024, Time: 1, Threads: 1}

func TestHashAndVerify(t *testing.T) {
	ctx := context.Background()
	h := NewHasher(cheap, 2)
	phc, err := h.Hash(ctx, "correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(phc, "$argon2id$v=19$m=8192,t=1,p=1$") {
		t.Errorf("got %q, want a PHC argon2id string", phc)
	}
	if ok, rehash, err := h.Verify(ctx, phc, "correct horse battery staple"); !ok || rehash || err != nil {
		t.Errorf("right password: got ok=%v rehash=%v err=%v", ok, rehash, err)
	}
	if ok, _, _ := h.Verify(ctx, phc, "correct horse battery stapler"); ok {
		t.Error("wrong password: got ok")
	}
	stronger := NewHasher(Argon2Params{Memory: 16 * 1024, Time: 1, Threads: 1}, 1)
	if ok, rehash, _ := stronger.Verify(ctx, phc, "correct horse battery staple"); !ok || !rehash {
		t.Errorf("after raising parameters: got ok=%v rehash=%v, want a rehash", ok, rehash)
	}
	for _, bad := range []string{"", "plain", "$2a$10$abc", "$argon2id$v=19$m=0,t=1,p=1$c2FsdA$a2V5", "$argon2id$v=19$m=99999999,t=1,p=1$c2FsdA$a2V5"} {
		if _, _, err := h.Verify(ctx, bad, "x"); err == nil {
			t.Errorf("Verify(%q): got nil error", bad)
		}
	}
}

func TestHasherBoundsConcurrency(t *testing.T) {
	h := NewHasher(cheap, 1)
	h.sem <- struct{}{} // occupy the only slot
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := h.Hash(ctx, "x"); err == nil {
		t.Error("got a hash while the slot was taken, want the context error")
	}
}

func TestRules(t *testing.T) {
	r := NewRules(12)
	tests := []struct {
		pw, want string
	}{
		{"correct horse battery staple", ""},
		{"short", "12 characters"},
		{"password1234", "most common"},
		{"Password1234", "most common"},
		{"qwertyuiop123", "most common"},
		{"ann.analyst-is-great", "email"},
		{"annanalystrocks1", "name"},
		{"aaaaaaaaaaaaaa", "repeated"},
		{strings.Repeat("long ", 60), "256 characters or fewer"},
		{"Tr0ub4dor&3xyz!", ""},
	}
	for _, tc := range tests {
		got := r.Check(tc.pw, "ann.analyst@nyp.example", "Ann Analyst")
		if (tc.want == "" && got != "") || (tc.want != "" && !strings.Contains(got, tc.want)) {
			t.Errorf("Check(%q): got %q, want %q", tc.pw, got, tc.want)
		}
	}
}

func TestTOTP(t *testing.T) {
	e, err := NewTOTP("Alliance", "ann@nyp.example")
	if err != nil {
		t.Fatal(err)
	}
	if len(e.PNG) < 100 || !strings.HasPrefix(e.URL, "otpauth://totp/") {
		t.Errorf("got enrolment %q with %d PNG bytes", e.URL, len(e.PNG))
	}
	now := time.Date(2026, 11, 22, 10, 0, 15, 0, time.UTC)
	code, _ := TOTPCode(e.Secret, now)
	step, ok := CheckTOTP(e.Secret, code, now, 0)
	if !ok || step != now.Unix()/30 {
		t.Fatalf("fresh code: got step %d ok %v", step, ok)
	}
	if _, ok := CheckTOTP(e.Secret, code, now, step); ok {
		t.Error("replayed code: got accepted, want refused")
	}
	prev, _ := TOTPCode(e.Secret, now.Add(-30*time.Second))
	if _, ok := CheckTOTP(e.Secret, prev, now, 0); !ok {
		t.Error("code from the previous step: got refused, want accepted (clock drift)")
	}
	old, _ := TOTPCode(e.Secret, now.Add(-90*time.Second))
	if _, ok := CheckTOTP(e.Secret, old, now, 0); ok {
		t.Error("code from three steps ago: got accepted")
	}
	if _, ok := CheckTOTP(e.Secret, "12345", now, 0); ok {
		t.Error("short code: got accepted")
	}
	spaced := code[:3] + " " + code[3:]
	if _, ok := CheckTOTP(e.Secret, spaced, now.Add(30*time.Second), 0); !ok {
		t.Error("code with a space, next step: got refused")
	}
}

func TestBoxAndTokens(t *testing.T) {
	key := []byte(strings.Repeat("k", 32))
	b, err := NewBox(key)
	if err != nil {
		t.Fatal(err)
	}
	sealed := b.Seal("JBSWY3DPEHPK3PXP")
	if strings.Contains(sealed, "JBSWY3DP") {
		t.Error("sealed text contains the secret")
	}
	if got, err := b.Open(sealed); err != nil || got != "JBSWY3DPEHPK3PXP" {
		t.Errorf("Open: got %q, %v", got, err)
	}
	other, _ := NewBox([]byte(strings.Repeat("x", 32)))
	if _, err := other.Open(sealed); err == nil {
		t.Error("Open with the wrong key: got nil error")
	}
	if _, err := NewBox([]byte("short")); err == nil {
		t.Error("NewBox(short key): got nil error")
	}
	if a, b := NewToken(32), NewToken(32); a == b || len(a) < 40 {
		t.Errorf("tokens %q %q: want distinct and long", a, b)
	}
	codes := NewRecoveryCodes(10)
	seen := map[string]bool{}
	for _, c := range codes {
		if len(c) != 14 || seen[c] {
			t.Errorf("recovery code %q: want 14 characters, unique", c)
		}
		seen[c] = true
		if NormaliseRecoveryCode(strings.ToUpper(strings.ReplaceAll(c, "-", " "))) != c {
			t.Errorf("NormaliseRecoveryCode did not restore %q", c)
		}
	}
}
