package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"alliance/internal/domain"
)

// Credentials is a user with what sign-in needs to check. Secrets stay in
// the store and service layers; they never reach a template or a log.
type Credentials struct {
	User               domain.User
	AgencyType         domain.AgencyType
	PasswordHash       string
	TOTPSecret         string // sealed
	TOTPLastStep       int64
	SecondFactorExempt bool
	ServiceAccount     bool
	OIDCIssuer         string
	OIDCSubject        string
	LastSignInAt       time.Time
}

//nolint:gosec // column names, not a credential
const credentialCols = `u.id, u.partnership_id, u.agency_id, a.name, a.agency_type, u.email, u.display_name, u.active, u.created_at,
	COALESCE(u.password_hash, ''), COALESCE(u.totp_secret, ''), u.totp_last_step, u.second_factor_exempt, u.service_account,
	COALESCE(u.oidc_issuer, ''), COALESCE(u.oidc_subject, ''), u.last_sign_in_at`

func scanCredentials(r interface{ Scan(...any) error }) (Credentials, error) {
	var c Credentials
	var last sql.NullTime
	err := r.Scan(&c.User.ID, &c.User.PartnershipID, &c.User.AgencyID, &c.User.AgencyName, &c.AgencyType, &c.User.Email,
		&c.User.DisplayName, &c.User.Active, &c.User.CreatedAt, &c.PasswordHash, &c.TOTPSecret, &c.TOTPLastStep,
		&c.SecondFactorExempt, &c.ServiceAccount, &c.OIDCIssuer, &c.OIDCSubject, &last)
	if last.Valid {
		c.LastSignInAt = last.Time.UTC()
	}
	c.User.CreatedAt = c.User.CreatedAt.UTC()
	return c, err
}

func (s *Store) loadRoles(ctx context.Context, q Queryer, userID string) ([]domain.Role, error) {
	return collect(ctx, q, "user roles", `SELECT ur.role_code FROM user_role ur JOIN role r ON r.code = ur.role_code
		WHERE ur.user_id = $1 ORDER BY r.sort_order`, []any{userID},
		func(r *sql.Rows) (domain.Role, error) { var x domain.Role; err := r.Scan(&x); return x, err })
}

// CredentialsByEmail returns the user with email (case-insensitive).
func (s *Store) CredentialsByEmail(ctx context.Context, q Queryer, email string) (Credentials, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	c, err := scanCredentials(q.QueryRowContext(ctx, `SELECT `+credentialCols+` FROM app_user u JOIN agency a ON a.id = u.agency_id WHERE u.email = $1`, email))
	if err := one(err, "user by email", domain.NotFound("user", email)); err != nil {
		return Credentials{}, err
	}
	c.User.Roles, err = s.loadRoles(ctx, q, c.User.ID)
	return c, err
}

// CredentialsByID returns the user with id.
func (s *Store) CredentialsByID(ctx context.Context, q Queryer, id string) (Credentials, error) {
	c, err := scanCredentials(q.QueryRowContext(ctx, `SELECT `+credentialCols+` FROM app_user u JOIN agency a ON a.id = u.agency_id WHERE u.id = $1`, id))
	if err := one(err, "user by id", domain.NotFound("user", id)); err != nil {
		return Credentials{}, err
	}
	c.User.Roles, err = s.loadRoles(ctx, q, c.User.ID)
	return c, err
}

// CredentialsByOIDC returns the user linked to issuer and subject.
func (s *Store) CredentialsByOIDC(ctx context.Context, q Queryer, issuer, subject string) (Credentials, error) {
	c, err := scanCredentials(q.QueryRowContext(ctx, `SELECT `+credentialCols+` FROM app_user u JOIN agency a ON a.id = u.agency_id
		WHERE u.oidc_issuer = $1 AND u.oidc_subject = $2`, issuer, subject))
	if err := one(err, "user by oidc", domain.NotFound("user", issuer+" "+subject)); err != nil {
		return Credentials{}, err
	}
	c.User.Roles, err = s.loadRoles(ctx, q, c.User.ID)
	return c, err
}

func execOne(ctx context.Context, tx *sql.Tx, what string, notFound error, query string, args ...any) error {
	res, err := tx.ExecContext(ctx, query, args...)
	if err != nil {
		return fmt.Errorf("store: %s: %w", what, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("store: %s: %w", what, err)
	}
	if n == 0 {
		return notFound
	}
	return nil
}

// SetPasswordHash stores a new password hash for the user.
func (s *Store) SetPasswordHash(ctx context.Context, tx *sql.Tx, userID, hash string) error {
	return execOne(ctx, tx, "set password", domain.NotFound("user", userID),
		`UPDATE app_user SET password_hash = $2, password_changed_at = $3 WHERE id = $1`, userID, hash, s.Now())
}

// SetSharedPassword stores one password hash for many users of a loader
// (the demo's accounts share one published password) in one statement,
// with their second-factor exemption; every user must exist.
func (s *Store) SetSharedPassword(ctx context.Context, tx *sql.Tx, userIDs []string, hash string, exempt bool) error {
	if len(userIDs) == 0 {
		return nil
	}
	args := Args{}
	h, at, ex := args.Add(hash), args.Add(s.Now()), args.Add(exempt)
	res, err := tx.ExecContext(ctx, `UPDATE app_user SET password_hash = `+h+`, password_changed_at = `+at+`, second_factor_exempt = `+ex+
		` WHERE `+idIn("id", userIDs, &args), args.Values()...)
	if err != nil {
		return fmt.Errorf("store: set shared password: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("store: set shared password: %w", err)
	} else if n != int64(len(userIDs)) {
		return fmt.Errorf("store: set shared password: %d of %d users: %w", n, len(userIDs), domain.NotFound("user", ""))
	}
	return nil
}

// SetTOTPSecret stores a sealed TOTP secret ("" removes it) and resets the
// replay counter.
func (s *Store) SetTOTPSecret(ctx context.Context, tx *sql.Tx, userID, sealed string) error {
	return execOne(ctx, tx, "set totp", domain.NotFound("user", userID),
		`UPDATE app_user SET totp_secret = $2, totp_last_step = 0 WHERE id = $1`, userID, nullIfEmpty(sealed))
}

// ErrReplay means a one-time code was already used.
var ErrReplay = errors.New("store: code already used")

// AdvanceTOTPStep records step as the user's last accepted TOTP step, only
// if it is later than the one stored. It returns ErrReplay otherwise, so a
// code accepted by one app server is refused by every other.
func (s *Store) AdvanceTOTPStep(ctx context.Context, tx *sql.Tx, userID string, step int64) error {
	return execOne(ctx, tx, "advance totp", ErrReplay,
		`UPDATE app_user SET totp_last_step = $2 WHERE id = $1 AND totp_last_step < $2`, userID, step)
}

// ReplaceRecoveryCodes swaps the user's recovery codes for new hashes.
func (s *Store) ReplaceRecoveryCodes(ctx context.Context, tx *sql.Tx, partnershipID, userID string, hashes []string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM recovery_code WHERE user_id = $1`, userID); err != nil {
		return fmt.Errorf("store: clear recovery codes: %w", err)
	}
	for _, h := range hashes {
		if _, err := tx.ExecContext(ctx, `INSERT INTO recovery_code (id, partnership_id, user_id, code_hash) VALUES ($1, $2, $3, $4)`,
			s.NewID(), partnershipID, userID, h); err != nil {
			return fmt.Errorf("store: add recovery code: %w", err)
		}
	}
	return nil
}

// UseRecoveryCode marks the user's unused code with hash as used, or returns
// ErrReplay when there is none.
func (s *Store) UseRecoveryCode(ctx context.Context, tx *sql.Tx, userID, hash string) error {
	return execOne(ctx, tx, "use recovery code", ErrReplay,
		`UPDATE recovery_code SET used_at = $3 WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL`, userID, hash, s.Now())
}

// UnusedRecoveryCodes counts the user's remaining recovery codes.
func (s *Store) UnusedRecoveryCodes(ctx context.Context, userID string) (int, error) {
	var n int
	err := s.rdb.QueryRowContext(ctx, `SELECT count(*) FROM recovery_code WHERE user_id = $1 AND used_at IS NULL`, userID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: count recovery codes: %w", err)
	}
	return n, nil
}

// MarkSignedIn records the time of a completed sign-in.
func (s *Store) MarkSignedIn(ctx context.Context, tx *sql.Tx, userID string, at time.Time) error {
	return execOne(ctx, tx, "mark signed in", domain.NotFound("user", userID),
		`UPDATE app_user SET last_sign_in_at = $2 WHERE id = $1`, userID, at)
}

// SetUserActive activates or deactivates a user of the partnership.
func (s *Store) SetUserActive(ctx context.Context, tx *sql.Tx, partnershipID, userID string, active bool) error {
	var at any
	if !active {
		at = s.Now()
	}
	return execOne(ctx, tx, "set active", domain.NotFound("user", userID),
		`UPDATE app_user SET active = $3, deactivated_at = $4 WHERE partnership_id = $1 AND id = $2`, partnershipID, userID, active, at)
}

// SetUserRoles replaces the roles of a user of the partnership.
func (s *Store) SetUserRoles(ctx context.Context, tx *sql.Tx, partnershipID, userID string, roles []domain.Role) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM user_role WHERE partnership_id = $1 AND user_id = $2`, partnershipID, userID); err != nil {
		return fmt.Errorf("store: clear roles: %w", err)
	}
	for _, r := range roles {
		if _, err := tx.ExecContext(ctx, `INSERT INTO user_role (partnership_id, user_id, role_code) VALUES ($1, $2, $3)`, partnershipID, userID, string(r)); err != nil {
			return fmt.Errorf("store: add role %s: %w", r, err)
		}
	}
	return nil
}

// SetSecondFactorExempt marks demo accounts that may skip the second factor.
func (s *Store) SetSecondFactorExempt(ctx context.Context, tx *sql.Tx, userID string, exempt bool) error {
	return execOne(ctx, tx, "set exempt", domain.NotFound("user", userID),
		`UPDATE app_user SET second_factor_exempt = $2 WHERE id = $1`, userID, exempt)
}

// LinkOIDC links a user to an identity provider's issuer and subject.
func (s *Store) LinkOIDC(ctx context.Context, tx *sql.Tx, userID, issuer, subject string) error {
	err := execOne(ctx, tx, "link oidc", domain.NotFound("user", userID),
		`UPDATE app_user SET oidc_issuer = $2, oidc_subject = $3 WHERE id = $1`, userID, issuer, subject)
	if err != nil && s.d.IsUniqueViolation(err) {
		return fmt.Errorf("store: that identity is linked to another user: %w", domain.ErrConflict)
	}
	return err
}

// Session is a server-side sign-in session.
type Session struct {
	ID            string
	PartnershipID string
	UserID        string
	Stage         string // "second_factor" or "full"
	Method        string // "password", "oidc"
	CreatedAt     time.Time
	LastSeenAt    time.Time
	ExpiresAt     time.Time
	ClientAddr    string
	UserAgent     string
}

// CreateSession stores a session under the hash of its token.
func (s *Store) CreateSession(ctx context.Context, tx *sql.Tx, sess *Session, tokenHash string) error {
	if sess.ID == "" {
		sess.ID = s.NewID()
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO user_session (id, partnership_id, user_id, token_hash, stage, method, created_at, last_seen_at,
		expires_at, client_addr, user_agent) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		sess.ID, sess.PartnershipID, sess.UserID, tokenHash, sess.Stage, sess.Method, sess.CreatedAt, sess.LastSeenAt, sess.ExpiresAt,
		clip(sess.ClientAddr, 64), clip(sess.UserAgent, 300))
	if err != nil {
		return fmt.Errorf("store: create session: %w", err)
	}
	return nil
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

const sessionCols = `s.id, s.partnership_id, s.user_id, s.stage, s.method, s.created_at, s.last_seen_at, s.expires_at, s.client_addr, s.user_agent`

func scanSession(r interface{ Scan(...any) error }) (Session, error) {
	var x Session
	err := r.Scan(&x.ID, &x.PartnershipID, &x.UserID, &x.Stage, &x.Method, &x.CreatedAt, &x.LastSeenAt, &x.ExpiresAt, &x.ClientAddr, &x.UserAgent)
	x.CreatedAt, x.LastSeenAt, x.ExpiresAt = x.CreatedAt.UTC(), x.LastSeenAt.UTC(), x.ExpiresAt.UTC()
	return x, err
}

// SessionByTokenHash returns the live (not revoked, user active) session
// with tokenHash. Expiry is for the caller to judge against its clock.
func (s *Store) SessionByTokenHash(ctx context.Context, tokenHash string) (Session, error) {
	x, err := scanSession(s.rdb.QueryRowContext(ctx, `SELECT `+sessionCols+` FROM user_session s JOIN app_user u ON u.id = s.user_id
		WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND u.active`, tokenHash))
	return x, one(err, "session", domain.NotFound("session", ""))
}

// TouchSession records activity on a session.
func (s *Store) TouchSession(ctx context.Context, id string, at time.Time) error {
	return s.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE user_session SET last_seen_at = $2 WHERE id = $1 AND last_seen_at < $2`, id, at)
		if err != nil {
			return fmt.Errorf("store: touch session: %w", err)
		}
		return nil
	})
}

// RevokeSession ends one session of the user.
func (s *Store) RevokeSession(ctx context.Context, tx *sql.Tx, userID, id string) error {
	return execOne(ctx, tx, "revoke session", domain.NotFound("session", id),
		`UPDATE user_session SET revoked_at = $3 WHERE user_id = $1 AND id = $2 AND revoked_at IS NULL`, userID, id, s.Now())
}

// RevokeUserSessions ends every session of the user except keep ("" for
// none) and returns how many it ended.
func (s *Store) RevokeUserSessions(ctx context.Context, tx *sql.Tx, userID, keep string) (int64, error) {
	res, err := tx.ExecContext(ctx, `UPDATE user_session SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL AND CAST(id AS text) <> $3`,
		userID, s.Now(), keep)
	if err != nil {
		return 0, fmt.Errorf("store: revoke sessions: %w", err)
	}
	return res.RowsAffected()
}

// ActiveSessions lists the user's unrevoked, unexpired sessions, newest
// first.
func (s *Store) ActiveSessions(ctx context.Context, userID string, now time.Time) ([]Session, error) {
	return collect(ctx, s.rdb, "list sessions", `SELECT `+sessionCols+` FROM user_session s
		WHERE s.user_id = $1 AND s.revoked_at IS NULL AND s.expires_at > $2 ORDER BY s.last_seen_at DESC`, []any{userID, now},
		func(r *sql.Rows) (Session, error) { return scanSession(r) })
}

// Throttle is the failure count of one sign-in key (an account or an
// address).
type Throttle struct {
	Failures    int
	WindowStart time.Time
	LockedUntil time.Time
}

// ThrottleState returns the state of key; a key never seen has zero state.
func (s *Store) ThrottleState(ctx context.Context, q Queryer, key string) (Throttle, error) {
	var t Throttle
	var locked sql.NullTime
	err := q.QueryRowContext(ctx, `SELECT failures, window_start, locked_until FROM login_throttle WHERE key = $1`, key).Scan(&t.Failures, &t.WindowStart, &locked)
	if errors.Is(err, sql.ErrNoRows) {
		return Throttle{}, nil
	}
	if err != nil {
		return Throttle{}, fmt.Errorf("store: throttle: %w", err)
	}
	if locked.Valid {
		t.LockedUntil = locked.Time.UTC()
	}
	t.WindowStart = t.WindowStart.UTC()
	return t, nil
}

// SaveThrottle writes the state of key.
func (s *Store) SaveThrottle(ctx context.Context, tx *sql.Tx, key string, t Throttle) error {
	var locked any
	if !t.LockedUntil.IsZero() {
		locked = t.LockedUntil
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO login_throttle (key, failures, window_start, locked_until, updated_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, window_start = excluded.window_start,
		locked_until = excluded.locked_until, updated_at = excluded.updated_at`, key, t.Failures, t.WindowStart, locked, s.Now())
	if err != nil {
		return fmt.Errorf("store: save throttle: %w", err)
	}
	return nil
}

// ClearThrottle forgets key's failures.
func (s *Store) ClearThrottle(ctx context.Context, tx *sql.Tx, key string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM login_throttle WHERE key = $1`, key); err != nil {
		return fmt.Errorf("store: clear throttle: %w", err)
	}
	return nil
}

// SignInEvent is one sign-in attempt.
type SignInEvent struct {
	ID            string
	PartnershipID string
	UserID        string
	UserEmail     string
	UserName      string
	At            time.Time
	Outcome       string
	Method        string
	ClientAddr    string
}

// AddSignInEvent records an attempt.
func (s *Store) AddSignInEvent(ctx context.Context, tx *sql.Tx, e SignInEvent) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO sign_in_event (id, partnership_id, user_id, at, outcome, method, client_addr)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, s.NewID(), nullIfEmpty(e.PartnershipID), nullIfEmpty(e.UserID), e.At, e.Outcome, e.Method, clip(e.ClientAddr, 64))
	if err != nil {
		return fmt.Errorf("store: sign-in event: %w", err)
	}
	return nil
}

// SignInEvents lists the partnership's latest attempts (one user's when
// userID is not ""), newest first.
func (s *Store) SignInEvents(ctx context.Context, partnershipID, userID string, limit int) ([]SignInEvent, error) {
	return collect(ctx, s.rdb, "sign-in events", `SELECT e.id, CAST(e.partnership_id AS text), COALESCE(CAST(e.user_id AS text), ''),
		COALESCE(u.email, ''), COALESCE(u.display_name, ''), e.at, e.outcome, e.method, e.client_addr
		FROM sign_in_event e LEFT JOIN app_user u ON u.id = e.user_id
		WHERE e.partnership_id = $1 AND ($2 = '' OR CAST(e.user_id AS text) = $2) ORDER BY e.at DESC LIMIT $3`, []any{partnershipID, userID, limit},
		func(r *sql.Rows) (SignInEvent, error) {
			var e SignInEvent
			err := r.Scan(&e.ID, &e.PartnershipID, &e.UserID, &e.UserEmail, &e.UserName, &e.At, &e.Outcome, &e.Method, &e.ClientAddr)
			e.At = e.At.UTC()
			return e, err
		})
}

// APIToken is a bearer token for the API. Only its hash is stored.
type APIToken struct {
	ID            string
	PartnershipID string
	UserID        string
	UserEmail     string
	Name          string
	Prefix        string // the first characters, to recognise it in lists
	Scopes        []string
	CreatedBy     string
	CreatedAt     time.Time
	ExpiresAt     time.Time
	RevokedAt     time.Time
	LastUsedAt    time.Time
	// ISAID is the sharing agreement a service account's reads rely on.
	ISAID string
	// Purpose is what the token's reads of records are for ("" when each
	// request must say, in the X-Alliance-Purpose header).
	Purpose string
}

// CreateAPIToken stores t under tokenHash.
func (s *Store) CreateAPIToken(ctx context.Context, tx *sql.Tx, t *APIToken, tokenHash string) error {
	if t.ID == "" {
		t.ID = s.NewID()
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO api_token (id, partnership_id, user_id, name, token_hash, prefix, scopes, created_by, created_at, expires_at, isa_id, purpose)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`, t.ID, t.PartnershipID, t.UserID, t.Name, tokenHash, t.Prefix,
		strings.Join(t.Scopes, " "), t.CreatedBy, t.CreatedAt, t.ExpiresAt, nullIfEmpty(t.ISAID), t.Purpose)
	if err != nil {
		return fmt.Errorf("store: create api token: %w", err)
	}
	return nil
}

//nolint:gosec // column names, not a credential
const tokenCols = `t.id, t.partnership_id, t.user_id, u.email, t.name, t.prefix, t.scopes, t.created_by, t.created_at, t.expires_at, t.revoked_at, t.last_used_at,
	COALESCE(CAST(t.isa_id AS text), ''), t.purpose`

func scanToken(r interface{ Scan(...any) error }) (APIToken, error) {
	var t APIToken
	var scopes string
	var revoked, used sql.NullTime
	err := r.Scan(&t.ID, &t.PartnershipID, &t.UserID, &t.UserEmail, &t.Name, &t.Prefix, &scopes, &t.CreatedBy, &t.CreatedAt, &t.ExpiresAt, &revoked, &used, &t.ISAID, &t.Purpose)
	t.Scopes = strings.Fields(scopes)
	t.CreatedAt, t.ExpiresAt = t.CreatedAt.UTC(), t.ExpiresAt.UTC()
	if revoked.Valid {
		t.RevokedAt = revoked.Time.UTC()
	}
	if used.Valid {
		t.LastUsedAt = used.Time.UTC()
	}
	return t, err
}

// APITokenByHash returns the unrevoked token with tokenHash.
func (s *Store) APITokenByHash(ctx context.Context, tokenHash string) (APIToken, error) {
	t, err := scanToken(s.rdb.QueryRowContext(ctx, `SELECT `+tokenCols+` FROM api_token t JOIN app_user u ON u.id = t.user_id
		WHERE t.token_hash = $1 AND t.revoked_at IS NULL`, tokenHash))
	return t, one(err, "api token", domain.NotFound("token", ""))
}

// APITokens lists the partnership's tokens (one user's when userID is not
// ""), newest first.
func (s *Store) APITokens(ctx context.Context, partnershipID, userID string) ([]APIToken, error) {
	return collect(ctx, s.rdb, "list api tokens", `SELECT `+tokenCols+` FROM api_token t JOIN app_user u ON u.id = t.user_id
		WHERE t.partnership_id = $1 AND ($2 = '' OR CAST(t.user_id AS text) = $2) ORDER BY t.created_at DESC`, []any{partnershipID, userID},
		func(r *sql.Rows) (APIToken, error) { return scanToken(r) })
}

// RevokeAPIToken revokes the partnership's token id (only userID's when
// userID is not "").
func (s *Store) RevokeAPIToken(ctx context.Context, tx *sql.Tx, partnershipID, userID, id string) error {
	return execOne(ctx, tx, "revoke api token", domain.NotFound("token", id),
		`UPDATE api_token SET revoked_at = $4 WHERE partnership_id = $1 AND ($2 = '' OR CAST(user_id AS text) = $2) AND CAST(id AS text) = $3 AND revoked_at IS NULL`,
		partnershipID, userID, id, s.Now())
}

// TouchAPIToken records a use of the token, at most once a minute.
func (s *Store) TouchAPIToken(ctx context.Context, id string, at time.Time) error {
	return s.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE api_token SET last_used_at = $2 WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $3)`,
			id, at, at.Add(-time.Minute))
		if err != nil {
			return fmt.Errorf("store: touch api token: %w", err)
		}
		return nil
	})
}

// PasswordReset is a one-time link that sets a user's password.
type PasswordReset struct {
	ID, PartnershipID, UserID, CreatedBy string
	CreatedAt, ExpiresAt                 time.Time
}

// CreatePasswordReset stores a reset under the hash of its token, ending the
// user's earlier unused resets.
func (s *Store) CreatePasswordReset(ctx context.Context, tx *sql.Tx, r *PasswordReset, tokenHash string) error {
	if _, err := tx.ExecContext(ctx, `UPDATE password_reset SET used_at = $2 WHERE user_id = $1 AND used_at IS NULL`, r.UserID, r.CreatedAt); err != nil {
		return fmt.Errorf("store: end old resets: %w", err)
	}
	if r.ID == "" {
		r.ID = s.NewID()
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO password_reset (id, partnership_id, user_id, token_hash, created_by, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, r.ID, r.PartnershipID, r.UserID, tokenHash, r.CreatedBy, r.CreatedAt, r.ExpiresAt)
	if err != nil {
		return fmt.Errorf("store: create reset: %w", err)
	}
	return nil
}

// PasswordResetByHash returns the unused reset with tokenHash.
func (s *Store) PasswordResetByHash(ctx context.Context, q Queryer, tokenHash string) (PasswordReset, error) {
	var r PasswordReset
	err := q.QueryRowContext(ctx, `SELECT id, partnership_id, user_id, created_by, created_at, expires_at FROM password_reset
		WHERE token_hash = $1 AND used_at IS NULL`, tokenHash).Scan(&r.ID, &r.PartnershipID, &r.UserID, &r.CreatedBy, &r.CreatedAt, &r.ExpiresAt)
	r.CreatedAt, r.ExpiresAt = r.CreatedAt.UTC(), r.ExpiresAt.UTC()
	return r, one(err, "password reset", domain.NotFound("reset link", ""))
}

// UsePasswordReset marks a reset used, or returns ErrReplay.
func (s *Store) UsePasswordReset(ctx context.Context, tx *sql.Tx, id string) error {
	return execOne(ctx, tx, "use reset", ErrReplay, `UPDATE password_reset SET used_at = $2 WHERE id = $1 AND used_at IS NULL`, id, s.Now())
}

// SetServiceAccount marks a user as a machine account (API tokens only).
func (s *Store) SetServiceAccount(ctx context.Context, tx *sql.Tx, userID string, on bool) error {
	return execOne(ctx, tx, "set service account", domain.NotFound("user", userID),
		`UPDATE app_user SET service_account = $2 WHERE id = $1`, userID, on)
}

// AgencyByName returns the partnership's agency called name (case-insensitive).
func (s *Store) AgencyByName(ctx context.Context, q Queryer, partnershipID, name string) (domain.Agency, error) {
	var a domain.Agency
	err := q.QueryRowContext(ctx, `SELECT id, partnership_id, name, short_name, agency_type, created_at FROM agency
		WHERE partnership_id = $1 AND lower(name) = lower($2)`, partnershipID, strings.TrimSpace(name)).
		Scan(&a.ID, &a.PartnershipID, &a.Name, &a.ShortName, &a.Type, &a.CreatedAt)
	return a, one(err, "agency by name", domain.NotFound("agency", name))
}

// UserSummary is a row of the administrator's user list.
type UserSummary struct {
	domain.User
	ServiceAccount bool
	HasPassword    bool
	HasTOTP        bool
	OIDC           bool
	// SecondFactorExempt: the account may sign in without a second factor
	// (demo accounts).
	SecondFactorExempt bool
	LastSignInAt       time.Time
}

// UserSummaries lists the partnership's users with their sign-in state.
func (s *Store) UserSummaries(ctx context.Context, partnershipID string) ([]UserSummary, error) {
	users, err := s.Users(ctx, partnershipID)
	if err != nil {
		return nil, err
	}
	type extra struct {
		id                          string
		svc, pw, totp, oidc, exempt bool
		last                        sql.NullTime
	}
	rows, err := collect(ctx, s.rdb, "user sign-in state", `SELECT id, service_account, password_hash IS NOT NULL, totp_secret IS NOT NULL,
		oidc_subject IS NOT NULL, second_factor_exempt, last_sign_in_at FROM app_user WHERE partnership_id = $1`, []any{partnershipID},
		func(r *sql.Rows) (extra, error) {
			var x extra
			err := r.Scan(&x.id, &x.svc, &x.pw, &x.totp, &x.oidc, &x.exempt, &x.last)
			return x, err
		})
	if err != nil {
		return nil, err
	}
	by := map[string]extra{}
	for _, x := range rows {
		by[x.id] = x
	}
	out := make([]UserSummary, len(users))
	for i, u := range users {
		x := by[u.ID]
		out[i] = UserSummary{User: u, ServiceAccount: x.svc, HasPassword: x.pw, HasTOTP: x.totp, OIDC: x.oidc, SecondFactorExempt: x.exempt}
		if x.last.Valid {
			out[i].LastSignInAt = x.last.Time.UTC()
		}
	}
	return out, nil
}

// Purpose is one of the reasons a user may give for opening a record.
type Purpose struct{ Code, Name string }

// Purposes lists the access purpose reference data.
func (s *Store) Purposes(ctx context.Context) ([]Purpose, error) {
	return collect(ctx, s.rdb, "access purposes", `SELECT code, name FROM access_purpose ORDER BY sort_order, code`, nil,
		func(r *sql.Rows) (Purpose, error) { var p Purpose; err := r.Scan(&p.Code, &p.Name); return p, err })
}

// SessionPurpose returns the purpose given in session for record, or
// not-found. The stored text is the purpose's name.
func (s *Store) SessionPurpose(ctx context.Context, sessionID, recordID string) (string, string, error) {
	var name, detail string
	err := s.rdb.QueryRowContext(ctx, `SELECT p.name, sp.detail FROM session_purpose sp JOIN access_purpose p ON p.code = sp.purpose
		WHERE sp.session_id = $1 AND sp.record_id = $2`, sessionID, recordID).Scan(&name, &detail)
	return name, detail, one(err, "session purpose", domain.NotFound("purpose", recordID))
}

// SetSessionPurpose remembers a purpose for a record in a session.
func (s *Store) SetSessionPurpose(ctx context.Context, tx *sql.Tx, sessionID, recordID, purpose, name, detail string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO session_purpose (session_id, record_id, purpose, detail, at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (session_id, record_id) DO UPDATE SET purpose = excluded.purpose, detail = excluded.detail, at = excluded.at`,
		sessionID, recordID, purpose, detail, s.Now())
	if err != nil {
		return fmt.Errorf("store: set purpose: %w", err)
	}
	return nil
}

// RevokeUserTokens revokes every API token of the user.
func (s *Store) RevokeUserTokens(ctx context.Context, tx *sql.Tx, userID string) error {
	if _, err := tx.ExecContext(ctx, `UPDATE api_token SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL`, userID, s.Now()); err != nil {
		return fmt.Errorf("store: revoke tokens: %w", err)
	}
	return nil
}
