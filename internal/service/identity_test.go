package service_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"alliance/internal/audit"
	"alliance/internal/auth"
	"alliance/internal/demo"
	"alliance/internal/domain"
	"alliance/internal/service"
	"alliance/internal/store"
	"alliance/internal/store/storetest"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

const demoPassword = "correct horse battery staple"

func newIdentity(t *testing.T, e storetest.Engine) (*service.Identity, *store.Store, *clock) {
	t.Helper()
	clk := &clock{t: time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)}
	st := storetest.Open(t, e, store.Options{Now: clk.Now})
	box, err := auth.NewBox([]byte(strings.Repeat("k", 32)))
	if err != nil {
		t.Fatal(err)
	}
	id := service.NewIdentity(st, auth.NewHasher(auth.Argon2Params{Memory: 8 * 1024, Time: 1, Threads: 1}, 4), auth.NewRules(12), box, service.IdentityConfig{}, nil)
	if _, err := demo.Load(context.Background(), st, demo.Options{Audit: audit.NewLog(st.Now, st.NewID, audit.SigningKey([]byte("test")))}); err != nil {
		t.Fatal(err)
	}
	return id, st, clk
}

func userID(t *testing.T, st *store.Store, email string) string {
	t.Helper()
	c, err := st.CredentialsByEmail(context.Background(), st.Reader(), email)
	if err != nil {
		t.Fatal(err)
	}
	return c.User.ID
}

// needsSecondFactor gives a demo account the test password and takes away
// its demo exemption from the second factor, returning its id.
func needsSecondFactor(t *testing.T, id *service.Identity, st *store.Store, email string) string {
	t.Helper()
	ctx := context.Background()
	uid := userID(t, st, email)
	if err := id.SetPassword(ctx, uid, demoPassword); err != nil {
		t.Fatal(err)
	}
	if err := st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error { return st.SetSecondFactorExempt(ctx, tx, uid, false) }); err != nil {
		t.Fatal(err)
	}
	return uid
}

func TestSignInWithSecondFactor(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			id, st, clk := newIdentity(t, e)
			needsSecondFactor(t, id, st, "analyst@nyp.example")
			c := service.Client{Addr: "192.0.2.1", UserAgent: "test"}

			if _, err := id.SignIn(ctx, "analyst@nyp.example", "wrong password entirely", c); !errors.Is(err, service.ErrSignInFailed) {
				t.Errorf("wrong password: got %v, want ErrSignInFailed", err)
			}
			if _, err := id.SignIn(ctx, "nobody@nyp.example", demoPassword, c); !errors.Is(err, service.ErrSignInFailed) {
				t.Errorf("unknown user: got %v, want the same ErrSignInFailed", err)
			}
			res, err := id.SignIn(ctx, " Analyst@NYP.example ", demoPassword, c)
			if err != nil || res.Stage != service.StageSecondFactor || !res.NeedsEnrolment {
				t.Fatalf("first sign-in: got %+v, %v; want a half session needing enrolment", res, err)
			}
			half, err := id.Authenticate(ctx, res.Token)
			if err != nil || half.Stage != service.StageSecondFactor {
				t.Fatalf("half session: got %+v, %v", half, err)
			}
			en, err := id.BeginEnrolment(ctx, half)
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := id.ConfirmEnrolment(ctx, half, en.Sealed, "000000", c); !errors.Is(err, service.ErrCodeWrong) {
				t.Errorf("enrol with a wrong code: got %v", err)
			}
			code, _ := auth.TOTPCode(en.Secret, clk.Now())
			recovery, full, err := id.ConfirmEnrolment(ctx, half, en.Sealed, code, c)
			if err != nil || len(recovery) != 10 || full == "" {
				t.Fatalf("enrol: got %d codes, token %q, %v", len(recovery), full, err)
			}
			if _, err := id.Authenticate(ctx, res.Token); !errors.Is(err, domain.ErrNotFound) {
				t.Errorf("half token after completion: got %v, want it revoked", err)
			}
			s, err := id.Authenticate(ctx, full)
			if err != nil || s.Stage != service.StageFull || s.Actor.Email != "analyst@nyp.example" || !s.Actor.Has(domain.RoleAnalyst) || s.Actor.AgencyType != domain.AgencyPolice {
				t.Fatalf("full session: got %+v, %v", s, err)
			}

			// Second sign-in: TOTP; the same code cannot be used twice.
			clk.Advance(31 * time.Second)
			res2, err := id.SignIn(ctx, "analyst@nyp.example", demoPassword, c)
			if err != nil || res2.NeedsEnrolment {
				t.Fatalf("second sign-in: got %+v, %v", res2, err)
			}
			half2, _ := id.Authenticate(ctx, res2.Token)
			code2, _ := auth.TOTPCode(en.Secret, clk.Now())
			if _, err := id.CompleteSecondFactor(ctx, half2, code2, c); err != nil {
				t.Fatalf("totp: %v", err)
			}
			res3, _ := id.SignIn(ctx, "analyst@nyp.example", demoPassword, c)
			half3, _ := id.Authenticate(ctx, res3.Token)
			if _, err := id.CompleteSecondFactor(ctx, half3, code2, c); !errors.Is(err, service.ErrCodeWrong) {
				t.Errorf("replayed code: got %v, want ErrCodeWrong", err)
			}
			// A recovery code works once.
			if _, err := id.CompleteSecondFactor(ctx, half3, strings.ToUpper(recovery[0]), c); err != nil {
				t.Errorf("recovery code: got %v", err)
			}
			res4, _ := id.SignIn(ctx, "analyst@nyp.example", demoPassword, c)
			half4, _ := id.Authenticate(ctx, res4.Token)
			if _, err := id.CompleteSecondFactor(ctx, half4, recovery[0], c); !errors.Is(err, service.ErrCodeWrong) {
				t.Errorf("used recovery code: got %v, want ErrCodeWrong", err)
			}

			// Sessions: list, idle timeout, sign out everywhere.
			sessions, err := id.Sessions(ctx, s.Actor)
			if err != nil || len(sessions) < 3 {
				t.Errorf("sessions: got %d, %v; want several", len(sessions), err)
			}
			clk.Advance(31 * time.Minute)
			if _, err := id.Authenticate(ctx, full); !errors.Is(err, domain.ErrNotFound) {
				t.Errorf("after 31 idle minutes: got %v, want the session expired", err)
			}
			n, err := id.SignOutEverywhere(ctx, s.Actor)
			if err != nil || n < 2 {
				t.Errorf("sign out everywhere: ended %d, %v", n, err)
			}
			if left, _ := id.Sessions(ctx, s.Actor); len(left) != 0 {
				t.Errorf("after sign out everywhere: got %d sessions, want 0", len(left))
			}
		})
	}
}

func TestLockOutAndDeactivation(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			id, st, clk := newIdentity(t, e)
			uid := userID(t, st, "officer@nyc.example")
			if err := id.SetPassword(ctx, uid, demoPassword); err != nil {
				t.Fatal(err)
			}
			c := service.Client{Addr: "192.0.2.9"}
			for i := 0; i < 5; i++ {
				if _, err := id.SignIn(ctx, "officer@nyc.example", "not the password", c); !errors.Is(err, service.ErrSignInFailed) {
					t.Fatalf("failure %d: got %v", i+1, err)
				}
			}
			if _, err := id.SignIn(ctx, "officer@nyc.example", demoPassword, c); !errors.Is(err, service.ErrThrottled) {
				t.Errorf("right password while locked: got %v, want ErrThrottled", err)
			}
			clk.Advance(16 * time.Minute)
			res, err := id.SignIn(ctx, "officer@nyc.example", demoPassword, c)
			if err != nil {
				t.Fatalf("after the lock-out: got %v", err)
			}
			// Deactivation ends sessions at once and stops sign-in.
			if err := setActive(st, uid, false); err != nil {
				t.Fatal(err)
			}
			if _, err := id.Authenticate(ctx, res.Token); !errors.Is(err, domain.ErrNotFound) {
				t.Errorf("session of a deactivated user: got %v, want not found", err)
			}
			if _, err := id.SignIn(ctx, "officer@nyc.example", demoPassword, c); !errors.Is(err, service.ErrSignInFailed) {
				t.Errorf("deactivated user signing in: got %v, want ErrSignInFailed", err)
			}
		})
	}
}

func setActive(st *store.Store, uid string, active bool) error {
	return st.InTx(context.Background(), func(ctx context.Context, tx *sql.Tx) error {
		c, err := st.CredentialsByID(ctx, tx, uid)
		if err != nil {
			return err
		}
		return st.SetUserActive(ctx, tx, c.User.PartnershipID, uid, active)
	})
}

func TestPasswordRulesApply(t *testing.T) {
	id, st, _ := newIdentity(t, storetest.Engines(t)[0])
	uid := userID(t, st, "analyst@nyp.example")
	err := id.SetPassword(context.Background(), uid, "password123")
	var verr *domain.ValidationError
	if !errors.As(err, &verr) || !verr.Has("password") {
		t.Errorf("common password: got %v, want a problem with password", err)
	}
}

// TestSecondFactorCannotBeBypassed: with only the password, nobody can
// replace an enrolled authenticator, and guessing codes leads to a lock-out
// even when the password is given again between guesses.
func TestSecondFactorCannotBeBypassed(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			id, st, clk := newIdentity(t, e)
			needsSecondFactor(t, id, st, "analyst@nyp.example")
			c := service.Client{Addr: "192.0.2.50"}
			res, _ := id.SignIn(ctx, "analyst@nyp.example", demoPassword, c)
			half, _ := id.Authenticate(ctx, res.Token)
			en, err := id.BeginEnrolment(ctx, half)
			if err != nil {
				t.Fatal(err)
			}
			code, _ := auth.TOTPCode(en.Secret, clk.Now())
			if _, _, err := id.ConfirmEnrolment(ctx, half, en.Sealed, code, c); err != nil {
				t.Fatal(err)
			}
			// An attacker with the password only.
			res, _ = id.SignIn(ctx, "analyst@nyp.example", demoPassword, c)
			half, _ = id.Authenticate(ctx, res.Token)
			if _, err := id.BeginEnrolment(ctx, half); !errors.Is(err, service.ErrAlreadyEnrolled) {
				t.Errorf("re-enrol with a half session: got %v, want ErrAlreadyEnrolled", err)
			}
			attackerEn, _ := id.BeginEnrolment(ctx, service.Session{Actor: half.Actor, Stage: service.StageFull})
			attackerCode, _ := auth.TOTPCode(attackerEn.Secret, clk.Now())
			if _, _, err := id.ConfirmEnrolment(ctx, half, attackerEn.Sealed, attackerCode, c); !errors.Is(err, service.ErrAlreadyEnrolled) {
				t.Errorf("confirm a new authenticator with a half session: got %v, want ErrAlreadyEnrolled", err)
			}
			// Guess codes, re-entering the password between guesses.
			locked := false
			for i := 0; i < 12 && !locked; i++ {
				res, err := id.SignIn(ctx, "analyst@nyp.example", demoPassword, c)
				if errors.Is(err, service.ErrThrottled) {
					locked = true
					break
				}
				half, _ := id.Authenticate(ctx, res.Token)
				_, err = id.CompleteSecondFactor(ctx, half, fmt.Sprintf("%06d", i), c)
				locked = errors.Is(err, service.ErrThrottled)
			}
			if !locked {
				t.Error("12 wrong codes with the password re-entered between them: got no lock-out")
			}
		})
	}
}
