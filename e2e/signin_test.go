package e2e

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"alliance/internal/auth"
	"alliance/internal/domain"
	"alliance/internal/service"
)

// newPerson adds a user who must use a second factor, with password pw.
func (h *harness) newPerson(t *testing.T, email string, pw string) {
	t.Helper()
	ctx := context.Background()
	st := h.app.Store()
	ps, err := st.Partnerships(ctx)
	if err != nil {
		t.Fatal(err)
	}
	actor := service.System(ps[0].ID)
	ag, err := h.app.Admin().EnsureAgency(ctx, actor, "North Yorkshire Police", "")
	if err != nil {
		t.Fatal(err)
	}
	u, err := h.app.Admin().CreateUser(ctx, actor, service.NewUser{Email: email, Name: "Test Person", AgencyID: ag.ID, Roles: []string{string(domain.RoleAnalyst)}})
	if err != nil {
		t.Fatal(err)
	}
	if err := h.app.Identity().SetPassword(ctx, u.ID, pw); err != nil {
		t.Fatal(err)
	}
}

// submit signs in through the form, which may fail or lead to the second
// factor.
func (h *harness) submit(t *testing.T, tb *tab, email, pw string) {
	t.Helper()
	h.fillSignIn(t, tb, email, pw, chromedp.Sleep(200*time.Millisecond))
}

const pw = "purple elephants dance quietly"

// TestSignInWithTOTP: a new person sets up their second factor on first
// sign-in, is shown recovery codes, and next time gives a code.
func TestSignInWithTOTP(t *testing.T) {
	h := setup(t)
	h.newPerson(t, "totp.person@nyp.example", pw)
	tb := h.tab(t)
	h.submit(t, tb, "totp.person@nyp.example", pw)
	if got := tb.text(t, "h1"); got != "Set up your second factor" {
		t.Fatalf("after password: got %q, want the set-up page", got)
	}
	h.checkPage(t, tb, "set up second factor", "/sign-in/set-up-second-factor", false)
	secret := tb.text(t, "#totp-secret")
	code, err := auth.TOTPCode(secret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(tb.ctx, chromedp.SendKeys(chromedp.CSS("#code"), code), chromedp.Submit(chromedp.CSS("#code")),
		chromedp.WaitVisible(chromedp.CSS("#recovery-codes")))
	if err != nil {
		t.Fatalf("confirm code: %v", err)
	}
	codes := strings.Fields(tb.text(t, "#recovery-codes"))
	if len(codes) != 10 {
		t.Errorf("got %d recovery codes, want 10", len(codes))
	}
	h.checkPage(t, tb, "recovery codes", "/sign-in/set-up-second-factor", false)
	if err := chromedp.Do(tb.ctx, chromedp.Click(chromedp.CSS("a.govuk-button")), chromedp.WaitVisible(chromedp.CSS("h1"))); err != nil {
		t.Fatal(err)
	}
	if got := tb.text(t, "h1"); got != "Your work" {
		t.Errorf("after set-up: got %q, want the home page", got)
	}

	// A new browser: password, then the code of the next time step (the
	// current one is spent).
	tb2 := h.tab(t)
	h.submit(t, tb2, "totp.person@nyp.example", pw)
	if got := tb2.text(t, "h1"); got != "Enter your security code" {
		t.Fatalf("second sign-in: got %q, want the code page", got)
	}
	h.checkPage(t, tb2, "second factor", "/sign-in/second-factor", false)
	wrong := "000000"
	if err := chromedp.Do(tb2.ctx, chromedp.SendKeys(chromedp.CSS("#code"), wrong), chromedp.Submit(chromedp.CSS("#code")),
		chromedp.WaitVisible(chromedp.CSS(".govuk-error-summary"))); err != nil {
		t.Fatalf("wrong code: %v", err)
	}
	next, _ := auth.TOTPCode(secret, time.Now().Add(30*time.Second))
	if err := chromedp.Do(tb2.ctx, chromedp.SetValue(chromedp.CSS("#code"), next), chromedp.Submit(chromedp.CSS("#code")),
		chromedp.WaitNotPresent(chromedp.CSS("#code")), chromedp.WaitVisible(chromedp.CSS("h1"))); err != nil {
		t.Fatalf("right code: %v", err)
	}
	if got := tb2.text(t, "h1"); got != "Your work" {
		t.Errorf("after the code: got %q, want the home page", got)
	}
}

func TestWrongPasswordAndLockOut(t *testing.T) {
	h := setup(t)
	h.newPerson(t, "lockout.person@nyp.example", pw)
	tb := h.tab(t)
	h.submit(t, tb, "lockout.person@nyp.example", "not my password at all")
	summary := tb.text(t, ".govuk-error-summary")
	if !strings.Contains(summary, "Enter a correct email address and password") {
		t.Errorf("wrong password: got %q", summary)
	}
	h.checkPage(t, tb, "wrong password", "/sign-in", true)
	for i := 0; i < 4; i++ {
		h.submit(t, tb, "lockout.person@nyp.example", "still not my password")
	}
	h.submit(t, tb, "lockout.person@nyp.example", pw)
	if summary := tb.text(t, ".govuk-error-summary"); !strings.Contains(summary, "Too many failed attempts") {
		t.Errorf("right password after 5 failures: got %q, want the lock-out message", summary)
	}
}

func TestSignOutEverywhereAndExpiry(t *testing.T) {
	h := setup(t)
	h.newPerson(t, "everywhere.person@nyp.example", pw)
	// Two browsers, each fully signed in (the second factor done through the
	// service, to keep this test on sessions).
	signInFull := func(tb *tab) {
		h.submit(t, tb, "everywhere.person@nyp.example", pw)
		if strings.Contains(tb.text(t, "h1"), "Set up") {
			secret := tb.text(t, "#totp-secret")
			code, _ := auth.TOTPCode(secret, time.Now())
			_ = chromedp.Do(tb.ctx, chromedp.SendKeys(chromedp.CSS("#code"), code), chromedp.Submit(chromedp.CSS("#code")), chromedp.WaitVisible(chromedp.CSS("#recovery-codes")))
			return
		}
		t.Fatalf("unexpected page %q", tb.text(t, "h1"))
	}
	a, b := h.tab(t), h.tab(t)
	signInFull(a)
	// b uses a recovery-free path: clear the second factor so it enrols too.
	st := h.app.Store()
	c, err := st.CredentialsByEmail(context.Background(), st.Reader(), "everywhere.person@nyp.example")
	if err != nil {
		t.Fatal(err)
	}
	_ = st.InTx(context.Background(), func(ctx context.Context, tx *sql.Tx) error { return st.SetTOTPSecret(ctx, tx, c.User.ID, "") })
	signInFull(b)
	for _, tb := range []*tab{a, b} {
		if err := chromedp.Do(tb.ctx, chromedp.Navigate(h.base+"/account"), chromedp.WaitVisible(chromedp.CSS("h1"))); err != nil {
			t.Fatal(err)
		}
		if got := tb.text(t, "h1"); got != "Your account" {
			t.Fatalf("account page: got %q", got)
		}
	}
	if rows := tb2rows(t, b); rows < 2 {
		t.Errorf("sessions listed: got %d, want both browsers", rows)
	}
	if err := chromedp.Do(b.ctx, chromedp.Click(chromedp.CSS("form[action='/account/sign-out-everywhere'] button")),
		chromedp.WaitVisible(chromedp.CSS("#email"))); err != nil {
		t.Fatalf("sign out everywhere: %v", err)
	}
	if err := chromedp.Do(a.ctx, chromedp.Navigate(h.base+"/account"), chromedp.WaitVisible(chromedp.CSS("h1"))); err != nil {
		t.Fatal(err)
	}
	if got := a.text(t, "h1"); got != "Sign in to Alliance" {
		t.Errorf("the other browser after sign out everywhere: got %q, want the sign-in page", got)
	}

	// An expired session: sign in, then age the session past its limit.
	e := h.tab(t)
	h.signIn(t, e, "analyst@nyp.example", "alliance-demo-partnership")
	cred, _ := st.CredentialsByEmail(context.Background(), st.Reader(), "analyst@nyp.example")
	err = st.InTx(context.Background(), func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE user_session SET expires_at = $2 WHERE user_id = $1`, cred.User.ID, time.Now().UTC().Add(-time.Minute))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(e.ctx, chromedp.Navigate(h.base+"/reports"), chromedp.WaitVisible(chromedp.CSS("h1"))); err != nil {
		t.Fatal(err)
	}
	if got := e.text(t, "h1"); got != "Sign in to Alliance" {
		t.Errorf("expired session: got %q, want the sign-in page", got)
	}
	if loc := e.location(t); !strings.Contains(loc, "next=%2Freports") {
		t.Errorf("expired session: got %q, want to come back to /reports after signing in", loc)
	}
}

func tb2rows(t *testing.T, tb *tab) int {
	n, err := chromedp.Run(tb.ctx, chromedp.Evaluate[int](`document.querySelectorAll('#sessions tbody tr').length`))
	if err != nil {
		t.Fatal(err)
	}
	return n
}
