package service

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"strings"
	"time"

	"alliance/internal/audit"
	"alliance/internal/auth"
	"alliance/internal/domain"
	"alliance/internal/store"
)

// IdentityConfig tunes sign-in and sessions.
type IdentityConfig struct {
	IdleTimeout     time.Duration // default 30 minutes
	AbsoluteTimeout time.Duration // default 12 hours
	// AccountLimit failures within Window lock an account; AddressLimit
	// failures lock an address. Defaults 5 and 50 in 15 minutes.
	AccountLimit, AddressLimit int
	Window                     time.Duration
	Issuer                     string // shown in authenticator apps; default "Alliance"
}

func (c *IdentityConfig) fill() {
	if c.IdleTimeout <= 0 {
		c.IdleTimeout = 30 * time.Minute
	}
	if c.AbsoluteTimeout <= 0 {
		c.AbsoluteTimeout = 12 * time.Hour
	}
	if c.AccountLimit <= 0 {
		c.AccountLimit = 5
	}
	if c.AddressLimit <= 0 {
		c.AddressLimit = 50
	}
	if c.Window <= 0 {
		c.Window = 15 * time.Minute
	}
	if c.Issuer == "" {
		c.Issuer = "Alliance"
	}
}

// Identity signs people in and out, keeps their sessions and second factors,
// and resolves a session or API token to an Actor. It is safe for
// concurrent use; all state is in the database.
type Identity struct {
	st     *store.Store
	hasher *auth.Hasher
	rules  *auth.Rules
	box    *auth.Box
	cfg    IdentityConfig
	log    *slog.Logger
	now    func() time.Time
	alog   *audit.Log
}

// SetAudit gives the service the audit log for the changes it makes that
// concern other users' records (API tokens, roles from an identity
// provider).
func (id *Identity) SetAudit(l *audit.Log) { id.alog = l }

// NewIdentity returns the identity service.
func NewIdentity(st *store.Store, hasher *auth.Hasher, rules *auth.Rules, box *auth.Box, cfg IdentityConfig, log *slog.Logger) *Identity {
	cfg.fill()
	if log == nil {
		log = slog.Default()
	}
	return &Identity{st: st, hasher: hasher, rules: rules, box: box, cfg: cfg, log: log, now: st.Now}
}

// Errors sign-in returns. Their messages are safe to show.
var (
	// ErrSignInFailed covers a wrong e-mail, a wrong password and an
	// inactive account alike, so the message reveals nothing.
	ErrSignInFailed = errors.New("sign-in failed: wrong email address or password")
	// ErrThrottled means too many failures: wait before trying again.
	ErrThrottled = errors.New("sign-in refused: too many failed attempts")
	// ErrBusy means too many sign-ins are being checked at once; the caller
	// should try again in a moment. It bounds the queue a storm can build.
	ErrBusy = errors.New("sign-in refused: too busy")
	// ErrCodeWrong means a second-factor or recovery code was wrong or used.
	ErrCodeWrong = errors.New("second factor refused: wrong or used code")
)

// Stages of a session.
const (
	StageSecondFactor = "second_factor"
	StageFull         = "full"
)

// Client describes where a request came from, for sessions and history.
type Client struct {
	Addr, UserAgent string
}

// SignInResult is a new session.
type SignInResult struct {
	Token string // the cookie value; shown once, stored hashed
	Stage string
	// NeedsEnrolment: the user must set up a second factor before going on.
	NeedsEnrolment bool
}

func (id *Identity) throttled(ctx context.Context, keys ...string) (bool, error) {
	now := id.now()
	for _, k := range keys {
		t, err := id.st.ThrottleState(ctx, id.st.Reader(), k)
		if err != nil {
			return false, err
		}
		if t.LockedUntil.After(now) {
			return true, nil
		}
	}
	return false, nil
}

// recordFailure counts a failure against key, locking it with growing
// back-off once it passes limit within the window.
func (id *Identity) recordFailure(ctx context.Context, tx *sql.Tx, key string, limit int, base time.Duration) error {
	now := id.now()
	t, err := id.st.ThrottleState(ctx, tx, key)
	if err != nil {
		return err
	}
	if t.WindowStart.IsZero() || now.Sub(t.WindowStart) > id.cfg.Window && !t.LockedUntil.After(now) {
		t = store.Throttle{WindowStart: now}
	}
	t.Failures++
	if t.Failures >= limit {
		over := min(t.Failures-limit, 5)
		t.LockedUntil = now.Add(base << over)
	}
	return id.st.SaveThrottle(ctx, tx, key, t)
}

func accountKey(email string) string { return "acct:" + strings.ToLower(strings.TrimSpace(email)) }
func addressKey(addr string) string  { return "addr:" + addr }

// SignIn checks an e-mail and password. On success it starts a session: a
// full one for accounts exempt from the second factor, otherwise one that
// can only complete the second factor (or enrol one).
func (id *Identity) SignIn(ctx context.Context, email, password string, c Client) (SignInResult, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	if t, err := id.throttled(ctx, accountKey(email), addressKey(c.Addr)); err != nil {
		return SignInResult{}, err
	} else if t {
		id.event(ctx, "", "", "throttled", "password", c)
		return SignInResult{}, ErrThrottled
	}
	cred, err := id.st.CredentialsByEmail(ctx, id.st.Reader(), email)
	found := err == nil
	if err != nil && !errors.Is(err, domain.ErrNotFound) {
		return SignInResult{}, err
	}
	ok, rehash, err := id.checkPassword(ctx, cred.PasswordHash, found, password)
	if err != nil {
		return SignInResult{}, err
	}
	if !ok || !cred.User.Active || cred.ServiceAccount {
		err := id.st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
			if err := id.recordFailure(ctx, tx, accountKey(email), id.cfg.AccountLimit, 15*time.Minute); err != nil {
				return err
			}
			if err := id.recordFailure(ctx, tx, addressKey(c.Addr), id.cfg.AddressLimit, time.Minute); err != nil {
				return err
			}
			return id.addEvent(ctx, tx, cred.User.PartnershipID, cred.User.ID, "wrong password", "password", c)
		})
		if err != nil {
			return SignInResult{}, err
		}
		return SignInResult{}, ErrSignInFailed
	}
	var newHash string
	if rehash {
		if newHash, err = id.hasher.Hash(ctx, password); err != nil {
			return SignInResult{}, err
		}
	}
	stage := StageSecondFactor
	if cred.SecondFactorExempt {
		stage = StageFull
	}
	var res SignInResult
	err = id.st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		// Failures are forgiven only when the sign-in completes: a right
		// password must not reset the count of wrong second-factor codes.
		if stage == StageFull {
			if err := id.st.ClearThrottle(ctx, tx, accountKey(email)); err != nil {
				return err
			}
		}
		if newHash != "" {
			if err := id.st.SetPasswordHash(ctx, tx, cred.User.ID, newHash); err != nil {
				return err
			}
		}
		outcome := "password accepted"
		if stage == StageFull {
			outcome = "signed in"
			if err := id.st.MarkSignedIn(ctx, tx, cred.User.ID, id.now()); err != nil {
				return err
			}
		}
		if err := id.addEvent(ctx, tx, cred.User.PartnershipID, cred.User.ID, outcome, "password", c); err != nil {
			return err
		}
		tok, err := id.startSession(ctx, tx, cred.User, stage, "password", c)
		res = SignInResult{Token: tok, Stage: stage, NeedsEnrolment: stage != StageFull && cred.TOTPSecret == ""}
		return err
	})
	return res, err
}

// checkPassword checks password against hash, the stored hash of an
// account (found) or, with no account or no password set, burns the time
// a check takes so that the answer does not say whether the account
// exists. It waits at most a few seconds for a hashing slot: past that
// the server is being stormed, and queueing more work would only slow
// everyone, so it returns ErrBusy. rehash says the hash should be
// replaced by one with the current parameters.
func (id *Identity) checkPassword(ctx context.Context, hash string, found bool, password string) (ok, rehash bool, err error) {
	hctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if found && hash != "" {
		ok, rehash, err = id.hasher.Verify(hctx, hash, password)
		if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
			return false, false, ErrBusy
		}
		if err != nil && !errors.Is(err, auth.ErrBadHash) {
			return false, false, err
		}
		return ok, rehash, nil
	}
	if !id.hasher.Burn(hctx, password) && ctx.Err() == nil {
		return false, false, ErrBusy
	}
	return false, false, nil
}

func (id *Identity) startSession(ctx context.Context, tx *sql.Tx, u domain.User, stage, method string, c Client) (string, error) {
	now := id.now()
	tok := auth.NewToken(32)
	exp := now.Add(id.cfg.AbsoluteTimeout)
	if stage != StageFull {
		exp = now.Add(10 * time.Minute) // a half-signed-in session is short
	}
	sess := &store.Session{PartnershipID: u.PartnershipID, UserID: u.ID, Stage: stage, Method: method, CreatedAt: now, LastSeenAt: now,
		ExpiresAt: exp, ClientAddr: c.Addr, UserAgent: c.UserAgent}
	return tok, id.st.CreateSession(ctx, tx, sess, auth.HashToken(tok))
}

func (id *Identity) addEvent(ctx context.Context, tx *sql.Tx, pid, uid, outcome, method string, c Client) error {
	return id.st.AddSignInEvent(ctx, tx, store.SignInEvent{PartnershipID: pid, UserID: uid, At: id.now(), Outcome: outcome, Method: method, ClientAddr: c.Addr})
}

// event records an attempt outside any other transaction, logging (not
// returning) a failure to record it.
func (id *Identity) event(ctx context.Context, pid, uid, outcome, method string, c Client) {
	err := id.st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error { return id.addEvent(ctx, tx, pid, uid, outcome, method, c) })
	if err != nil {
		id.log.ErrorContext(ctx, "record sign-in event", "error", err.Error())
	}
}

// Session is a resolved session: who, at which stage.
type Session struct {
	Actor domain.Actor
	Stage string
	store.Session
}

// Authenticate resolves a session cookie value. It returns not-found for an
// unknown, revoked, expired or idle session, or a deactivated user.
func (id *Identity) Authenticate(ctx context.Context, token string) (Session, error) {
	if token == "" {
		return Session{}, domain.NotFound("session", "")
	}
	sess, err := id.st.SessionByTokenHash(ctx, auth.HashToken(token))
	if err != nil {
		return Session{}, err
	}
	now := id.now()
	if !now.Before(sess.ExpiresAt) || now.Sub(sess.LastSeenAt) >= id.cfg.IdleTimeout {
		return Session{}, domain.NotFound("session", "")
	}
	cred, err := id.st.CredentialsByID(ctx, id.st.Reader(), sess.UserID)
	if err != nil {
		return Session{}, err
	}
	if !cred.User.Active {
		return Session{}, domain.NotFound("session", "")
	}
	if now.Sub(sess.LastSeenAt) > time.Minute {
		if err := id.st.TouchSession(ctx, sess.ID, now); err != nil {
			id.log.WarnContext(ctx, "touch session", "error", err.Error())
		}
	}
	return Session{Actor: actorOf(cred, domain.ActorUser, sess.ID, nil), Stage: sess.Stage, Session: sess}, nil
}

func actorOf(c store.Credentials, kind domain.ActorKind, sessionID string, scopes []string) domain.Actor {
	return domain.Actor{Kind: kind, UserID: c.User.ID, Email: c.User.Email, DisplayName: c.User.DisplayName, PartnershipID: c.User.PartnershipID,
		AgencyID: c.User.AgencyID, AgencyName: c.User.AgencyName, AgencyType: c.AgencyType, Roles: c.User.Roles, SessionID: sessionID,
		Scopes: scopes, ServiceAccount: c.ServiceAccount, NoSecondFactor: c.SecondFactorExempt}
}

// CompleteSecondFactor checks a TOTP code (or a recovery code) for a
// half-signed-in session and replaces it with a full session, whose new
// token it returns.
func (id *Identity) CompleteSecondFactor(ctx context.Context, s Session, code string, c Client) (string, error) {
	if s.Stage != StageSecondFactor {
		return "", domain.ErrForbidden
	}
	cred, err := id.st.CredentialsByID(ctx, id.st.Reader(), s.Actor.UserID)
	if err != nil {
		return "", err
	}
	if cred.TOTPSecret == "" {
		return "", domain.ErrForbidden
	}
	secret, err := id.box.Open(cred.TOTPSecret)
	if err != nil {
		return "", err
	}
	if t, err := id.throttled(ctx, accountKey(cred.User.Email)); err != nil {
		return "", err
	} else if t {
		return "", ErrThrottled
	}
	var tok string
	step, totpOK := auth.CheckTOTP(secret, code, id.now(), cred.TOTPLastStep)
	err = id.st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		var used error
		if totpOK {
			used = id.st.AdvanceTOTPStep(ctx, tx, cred.User.ID, step)
		} else {
			used = id.st.UseRecoveryCode(ctx, tx, cred.User.ID, auth.HashToken(auth.NormaliseRecoveryCode(code)))
		}
		if errors.Is(used, store.ErrReplay) {
			return ErrCodeWrong
		}
		if used != nil {
			return used
		}
		return id.finishSignIn(ctx, tx, cred.User, s.ID, "password+totp", &tok, c)
	})
	if errors.Is(err, ErrCodeWrong) {
		ferr := id.st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
			if err := id.recordFailure(ctx, tx, accountKey(cred.User.Email), id.cfg.AccountLimit, 15*time.Minute); err != nil {
				return err
			}
			return id.addEvent(ctx, tx, cred.User.PartnershipID, cred.User.ID, "wrong code", "totp", c)
		})
		if ferr != nil {
			return "", ferr
		}
	}
	return tok, err
}

// finishSignIn revokes the half session and starts a full one.
func (id *Identity) finishSignIn(ctx context.Context, tx *sql.Tx, u domain.User, halfID, method string, tok *string, c Client) error {
	if halfID != "" {
		if err := id.st.RevokeSession(ctx, tx, u.ID, halfID); err != nil {
			return err
		}
	}
	if err := id.st.ClearThrottle(ctx, tx, accountKey(u.Email)); err != nil {
		return err
	}
	if err := id.st.MarkSignedIn(ctx, tx, u.ID, id.now()); err != nil {
		return err
	}
	if err := id.addEvent(ctx, tx, u.PartnershipID, u.ID, "signed in", method, c); err != nil {
		return err
	}
	var err error
	*tok, err = id.startSession(ctx, tx, u, StageFull, method, c)
	return err
}

// Enrolment is a second factor being set up: the secret sealed, to carry
// through the form, and what to show the user.
type Enrolment struct {
	Sealed string
	auth.TOTPEnrolment
}

// ErrAlreadyEnrolled means a half-signed-in user tried to set up a second
// factor they already have: they must give its code instead. (Replacing it
// needs a full sign-in, so a stolen password cannot swap the authenticator.)
var ErrAlreadyEnrolled = errors.New("second factor already set up")

func (id *Identity) mayEnrol(ctx context.Context, s Session) error {
	if s.Stage != StageSecondFactor {
		return nil
	}
	cred, err := id.st.CredentialsByID(ctx, id.st.Reader(), s.Actor.UserID)
	if err != nil {
		return err
	}
	if cred.TOTPSecret != "" {
		return ErrAlreadyEnrolled
	}
	return nil
}

// BeginEnrolment makes a new TOTP secret for the session's user.
func (id *Identity) BeginEnrolment(ctx context.Context, s Session) (Enrolment, error) {
	if err := id.mayEnrol(ctx, s); err != nil {
		return Enrolment{}, err
	}
	e, err := auth.NewTOTP(id.cfg.Issuer, s.Actor.Email)
	if err != nil {
		return Enrolment{}, err
	}
	return Enrolment{Sealed: id.box.Seal(e.Secret), TOTPEnrolment: e}, nil
}

// ConfirmEnrolment stores the sealed secret once the user proves it with a
// current code, issues ten recovery codes (returned once, stored hashed) and,
// for a half-signed-in session, completes the sign-in with a new token.
func (id *Identity) ConfirmEnrolment(ctx context.Context, s Session, sealed, code string, c Client) (recovery []string, token string, err error) {
	if err := id.mayEnrol(ctx, s); err != nil {
		return nil, "", err
	}
	secret, err := id.box.Open(sealed)
	if err != nil {
		return nil, "", ErrCodeWrong
	}
	step, ok := auth.CheckTOTP(secret, code, id.now(), 0)
	if !ok {
		return nil, "", ErrCodeWrong
	}
	cred, err := id.st.CredentialsByID(ctx, id.st.Reader(), s.Actor.UserID)
	if err != nil {
		return nil, "", err
	}
	recovery = auth.NewRecoveryCodes(10)
	hashes := make([]string, len(recovery))
	for i, r := range recovery {
		hashes[i] = auth.HashToken(r)
	}
	err = id.st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := id.st.SetTOTPSecret(ctx, tx, cred.User.ID, sealed); err != nil {
			return err
		}
		if err := id.st.AdvanceTOTPStep(ctx, tx, cred.User.ID, step); err != nil {
			return err
		}
		if err := id.st.ReplaceRecoveryCodes(ctx, tx, cred.User.PartnershipID, cred.User.ID, hashes); err != nil {
			return err
		}
		if s.Stage == StageSecondFactor {
			return id.finishSignIn(ctx, tx, cred.User, s.ID, "password+totp", &token, c)
		}
		return nil
	})
	return recovery, token, err
}

// SignOut ends the session.
func (id *Identity) SignOut(ctx context.Context, s Session) error {
	return id.st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		return id.st.RevokeSession(ctx, tx, s.Actor.UserID, s.ID)
	})
}

// SignOutEverywhere ends every session of the actor, this one included.
func (id *Identity) SignOutEverywhere(ctx context.Context, a domain.Actor) (int64, error) {
	var n int64
	err := id.st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		var err error
		n, err = id.st.RevokeUserSessions(ctx, tx, a.UserID, "")
		return err
	})
	return n, err
}

// RevokeOwnSession ends one of the actor's other sessions.
func (id *Identity) RevokeOwnSession(ctx context.Context, a domain.Actor, sessionID string) error {
	return id.st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		return id.st.RevokeSession(ctx, tx, a.UserID, sessionID)
	})
}

// Sessions lists the actor's active sessions.
func (id *Identity) Sessions(ctx context.Context, a domain.Actor) ([]store.Session, error) {
	return id.st.ActiveSessions(ctx, a.UserID, id.now())
}

// ChangePassword checks the current password and the new one against the
// rules, stores the new hash and ends the actor's other sessions.
func (id *Identity) ChangePassword(ctx context.Context, a domain.Actor, current, next string) error {
	cred, err := id.st.CredentialsByID(ctx, id.st.Reader(), a.UserID)
	if err != nil {
		return err
	}
	verr := &domain.ValidationError{}
	if ok, _, _ := id.hasher.Verify(ctx, cred.PasswordHash, current); !ok {
		verr.Add("current", "Your current password is not right")
	}
	if msg := id.rules.Check(next, cred.User.Email, cred.User.DisplayName); msg != "" {
		verr.Add("password", "%s", msg)
	}
	if err := verr.Err(); err != nil {
		return err
	}
	hash, err := id.hasher.Hash(ctx, next)
	if err != nil {
		return err
	}
	return id.st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := id.st.SetPasswordHash(ctx, tx, a.UserID, hash); err != nil {
			return err
		}
		_, err := id.st.RevokeUserSessions(ctx, tx, a.UserID, a.SessionID)
		return err
	})
}

// SetPassword sets a user's password without the current one (the
// command line and reset links use it), checking the rules.
func (id *Identity) SetPassword(ctx context.Context, userID, password string) error {
	cred, err := id.st.CredentialsByID(ctx, id.st.Reader(), userID)
	if err != nil {
		return err
	}
	if msg := id.rules.Check(password, cred.User.Email, cred.User.DisplayName); msg != "" {
		verr := &domain.ValidationError{}
		verr.Add("password", "%s", msg)
		return verr
	}
	hash, err := id.hasher.Hash(ctx, password)
	if err != nil {
		return err
	}
	return id.st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := id.st.SetPasswordHash(ctx, tx, userID, hash); err != nil {
			return err
		}
		if _, err := id.st.RevokeUserSessions(ctx, tx, userID, ""); err != nil {
			return err
		}
		// A password set from outside (recovery) also ends the user's API
		// tokens: whoever held the account may have made some.
		return id.st.RevokeUserTokens(ctx, tx, userID)
	})
}

// Logger returns the service's logger.
func (id *Identity) Logger() *slog.Logger { return id.log }

// ResumeEnrolment reopens a sealed secret carried through the enrolment form
// (after a wrong code), so the user keeps the QR code they scanned.
func (id *Identity) ResumeEnrolment(ctx context.Context, sealed string, s Session) (Enrolment, error) {
	if err := id.mayEnrol(ctx, s); err != nil {
		return Enrolment{}, err
	}
	secret, err := id.box.Open(sealed)
	if err != nil {
		return id.BeginEnrolment(ctx, s)
	}
	e, err := auth.TOTPFromSecret(id.cfg.Issuer, s.Actor.Email, secret)
	if err != nil {
		return Enrolment{}, err
	}
	return Enrolment{Sealed: sealed, TOTPEnrolment: e}, nil
}

// RecoveryCodesLeft counts the actor's unused recovery codes.
func (id *Identity) RecoveryCodesLeft(ctx context.Context, a domain.Actor) (int, error) {
	return id.st.UnusedRecoveryCodes(ctx, a.UserID)
}
