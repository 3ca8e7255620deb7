package service

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"alliance/internal/audit"
	"alliance/internal/auth"
	"alliance/internal/domain"
	"alliance/internal/store"
)

// Admin is what administrators do: keep the partnership's users and their
// roles. Every method checks that the actor is an administrator of the
// partnership; administering users does not open any intelligence.
type Admin struct {
	st   *store.Store
	id   *Identity
	log  *slog.Logger
	alog *audit.Log
}

// NewAdmin returns the service. Changes to users are written to alog.
func NewAdmin(st *store.Store, id *Identity, log *slog.Logger, alog *audit.Log) *Admin {
	if log == nil {
		log = slog.Default()
	}
	return &Admin{st: st, id: id, log: log, alog: alog}
}

// record appends an entry about a user in tx.
func (ad *Admin) record(ctx context.Context, tx *sql.Tx, a domain.Actor, op audit.Operation, u domain.User, fields ...string) error {
	_, err := ad.alog.Append(ctx, tx, a, audit.MetaFrom(ctx), audit.Entry{Operation: op, RecordType: "user", RecordIDs: []string{u.ID},
		Label: u.Email, Fields: fields})
	return err
}

// System is the actor the command line acts as: an administrator of the
// partnership, with no agency, for operators at the server.
func System(partnershipID string) domain.Actor {
	return domain.Actor{Kind: domain.ActorUser, UserID: "system", DisplayName: "Operator (command line)", PartnershipID: partnershipID,
		Roles: []domain.Role{domain.RoleAdministrator}}
}

func mustAdmin(a domain.Actor) error {
	if a.Anonymous() || !a.Has(domain.RoleAdministrator) {
		return domain.ErrForbidden
	}
	return nil
}

// Users lists the partnership's users.
func (ad *Admin) Users(ctx context.Context, a domain.Actor) ([]store.UserSummary, error) {
	if err := mustAdmin(a); err != nil {
		return nil, err
	}
	return ad.st.UserSummaries(ctx, a.PartnershipID)
}

// User returns one user of the partnership with the latest sign-in events.
func (ad *Admin) User(ctx context.Context, a domain.Actor, userID string) (store.UserSummary, []store.SignInEvent, error) {
	c, err := ad.target(ctx, a, userID)
	if err != nil {
		return store.UserSummary{}, nil, err
	}
	u := store.UserSummary{User: c.User, ServiceAccount: c.ServiceAccount, HasPassword: c.PasswordHash != "", HasTOTP: c.TOTPSecret != "",
		OIDC: c.OIDCSubject != "", LastSignInAt: c.LastSignInAt}
	ev, err := ad.st.SignInEvents(ctx, a.PartnershipID, u.ID, 50)
	return u, ev, err
}

// SignIns lists the partnership's latest sign-in attempts.
func (ad *Admin) SignIns(ctx context.Context, a domain.Actor, limit int) ([]store.SignInEvent, error) {
	if err := mustAdmin(a); err != nil {
		return nil, err
	}
	return ad.st.SignInEvents(ctx, a.PartnershipID, "", limit)
}

// NewUser is what creating a user takes.
type NewUser struct {
	Email, Name    string
	AgencyID       string
	Roles          []string
	ServiceAccount bool
}

func (ad *Admin) checkRoles(ctx context.Context, in []string, verr *domain.ValidationError, field string) []domain.Role {
	known, err := ad.st.Roles(ctx)
	if err != nil {
		verr.Add(field, "Roles could not be read")
		return nil
	}
	var out []domain.Role
	for _, r := range in {
		ok := false
		for _, k := range known {
			if string(k.Code) == r {
				ok = true
			}
		}
		if !ok {
			verr.Add(field, "Unknown role %q", r)
			continue
		}
		out = append(out, domain.Role(r))
	}
	if len(out) == 0 && !verr.Has(field) {
		verr.Add(field, "Choose at least one role")
	}
	return out
}

// CreateUser adds a user to the partnership.
func (ad *Admin) CreateUser(ctx context.Context, a domain.Actor, in NewUser) (domain.User, error) {
	if err := mustAdmin(a); err != nil {
		return domain.User{}, err
	}
	verr := &domain.ValidationError{}
	email := strings.ToLower(strings.TrimSpace(in.Email))
	if addr, err := mail.ParseAddress(email); err != nil || addr.Address != email || !strings.Contains(email, ".") {
		verr.Add("email", "Enter an email address in the correct format, like name@agency.gov.uk")
	}
	name := strings.TrimSpace(in.Name)
	if name == "" || utf8.RuneCountInString(name) > 100 {
		verr.Add("name", "Enter the person's full name, 100 characters or fewer")
	}
	agencies, err := ad.st.Agencies(ctx, a.PartnershipID)
	if err != nil {
		return domain.User{}, err
	}
	found := false
	for _, ag := range agencies {
		found = found || ag.ID == in.AgencyID
	}
	if !found {
		verr.Add("agency", "Choose the person's agency")
	}
	roles := ad.checkRoles(ctx, in.Roles, verr, "roles")
	if err := verr.Err(); err != nil {
		return domain.User{}, err
	}
	u := domain.User{PartnershipID: a.PartnershipID, AgencyID: in.AgencyID, Email: email, DisplayName: name, Active: true, Roles: roles}
	err = ad.st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := ad.st.InsertUsers(ctx, tx, []domain.User{u}); err != nil {
			return err
		}
		c, err := ad.st.CredentialsByEmail(ctx, tx, email)
		if err != nil {
			return err
		}
		u.ID = c.User.ID
		if in.ServiceAccount {
			if err := ad.st.SetServiceAccount(ctx, tx, u.ID, true); err != nil {
				return err
			}
		}
		return ad.record(ctx, tx, a, audit.Collection, u)
	})
	if errors.Is(err, domain.ErrConflict) {
		verr.Add("email", "There is already a user with this email address")
		return domain.User{}, verr
	}
	return u, err
}

func (ad *Admin) target(ctx context.Context, a domain.Actor, userID string) (store.Credentials, error) {
	if err := mustAdmin(a); err != nil {
		return store.Credentials{}, err
	}
	c, err := ad.st.CredentialsByID(ctx, ad.st.Reader(), userID)
	if err != nil || c.User.PartnershipID != a.PartnershipID {
		return store.Credentials{}, domain.NotFound("user", userID)
	}
	return c, nil
}

// SetRoles replaces a user's roles and ends their sessions, so the change
// takes effect at once (they sign in again with the new privileges).
func (ad *Admin) SetRoles(ctx context.Context, a domain.Actor, userID string, roles []string) error {
	c, err := ad.target(ctx, a, userID)
	if err != nil {
		return err
	}
	verr := &domain.ValidationError{}
	rs := ad.checkRoles(ctx, roles, verr, "roles")
	if err := verr.Err(); err != nil {
		return err
	}
	if c.User.ID == a.UserID && !containsRole(rs, domain.RoleAdministrator) {
		verr.Add("roles", "You cannot remove your own administrator role")
		return verr
	}
	return ad.st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := ad.st.SetUserRoles(ctx, tx, a.PartnershipID, userID, rs); err != nil {
			return err
		}
		if _, err := ad.st.RevokeUserSessions(ctx, tx, userID, ""); err != nil {
			return err
		}
		return ad.record(ctx, tx, a, audit.Alteration, c.User, "roles")
	})
}

func containsRole(rs []domain.Role, r domain.Role) bool {
	for _, x := range rs {
		if x == r {
			return true
		}
	}
	return false
}

// SetActive deactivates (ending every session at once) or reactivates a user.
func (ad *Admin) SetActive(ctx context.Context, a domain.Actor, userID string, active bool) error {
	c, err := ad.target(ctx, a, userID)
	if err != nil {
		return err
	}
	if c.User.ID == a.UserID && !active {
		verr := &domain.ValidationError{}
		verr.Add("active", "You cannot deactivate yourself")
		return verr
	}
	return ad.st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := ad.st.SetUserActive(ctx, tx, a.PartnershipID, userID, active); err != nil {
			return err
		}
		if !active {
			if _, err := ad.st.RevokeUserSessions(ctx, tx, userID, ""); err != nil {
				return err
			}
		}
		return ad.record(ctx, tx, a, audit.Alteration, c.User, "active")
	})
}

// ResetLifetime is how long a reset link works.
const ResetLifetime = 24 * time.Hour

// IssueReset makes a one-time password reset token for a user, returned in
// plain text once; the link is /reset-password/{token}.
func (ad *Admin) IssueReset(ctx context.Context, a domain.Actor, userID string) (string, time.Time, error) {
	c, err := ad.target(ctx, a, userID)
	if err != nil {
		return "", time.Time{}, err
	}
	if c.ServiceAccount {
		return "", time.Time{}, domain.ErrForbidden
	}
	tok := auth.NewToken(32)
	now := ad.st.Now()
	creator := a.UserID
	if creator == "system" {
		creator = c.User.ID
	}
	r := store.PasswordReset{PartnershipID: a.PartnershipID, UserID: userID, CreatedBy: creator, CreatedAt: now, ExpiresAt: now.Add(ResetLifetime)}
	err = ad.st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := ad.st.CreatePasswordReset(ctx, tx, &r, auth.HashToken(tok)); err != nil {
			return err
		}
		return ad.record(ctx, tx, a, audit.Alteration, c.User, "password_reset_link")
	})
	return tok, r.ExpiresAt, err
}

// ResetUser returns the user a live reset token is for.
func (ad *Admin) ResetUser(ctx context.Context, token string) (store.Credentials, error) {
	r, err := ad.st.PasswordResetByHash(ctx, ad.st.Reader(), auth.HashToken(token))
	if err != nil {
		return store.Credentials{}, err
	}
	if !ad.st.Now().Before(r.ExpiresAt) {
		return store.Credentials{}, domain.NotFound("reset link", "")
	}
	return ad.st.CredentialsByID(ctx, ad.st.Reader(), r.UserID)
}

// UseReset sets the password through a reset token, once, checking the
// password rules, and ends the user's sessions. The second factor stays as it
// was.
func (ad *Admin) UseReset(ctx context.Context, token, password string) error {
	r, err := ad.st.PasswordResetByHash(ctx, ad.st.Reader(), auth.HashToken(token))
	if err != nil {
		return err
	}
	if !ad.st.Now().Before(r.ExpiresAt) {
		return domain.NotFound("reset link", "")
	}
	c, err := ad.st.CredentialsByID(ctx, ad.st.Reader(), r.UserID)
	if err != nil {
		return err
	}
	if msg := ad.id.rules.Check(password, c.User.Email, c.User.DisplayName); msg != "" {
		verr := &domain.ValidationError{}
		verr.Add("password", "%s", msg)
		return verr
	}
	hash, err := ad.id.hasher.Hash(ctx, password)
	if err != nil {
		return err
	}
	return ad.st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := ad.st.UsePasswordReset(ctx, tx, r.ID); err != nil {
			if errors.Is(err, store.ErrReplay) {
				return domain.NotFound("reset link", "")
			}
			return err
		}
		if err := ad.st.SetPasswordHash(ctx, tx, r.UserID, hash); err != nil {
			return err
		}
		if _, err := ad.st.RevokeUserSessions(ctx, tx, r.UserID, ""); err != nil {
			return err
		}
		if err := ad.st.RevokeUserTokens(ctx, tx, r.UserID); err != nil {
			return err
		}
		self := domain.Actor{UserID: c.User.ID, DisplayName: c.User.DisplayName, PartnershipID: c.User.PartnershipID, AgencyID: c.User.AgencyID, AgencyName: c.User.AgencyName}
		return ad.record(ctx, tx, self, audit.Alteration, c.User, "password")
	})
}

// Agencies lists the partnership's agencies, for forms.
func (ad *Admin) Agencies(ctx context.Context, a domain.Actor) ([]domain.Agency, error) {
	if a.Anonymous() {
		return nil, domain.ErrForbidden
	}
	return ad.st.Agencies(ctx, a.PartnershipID)
}

// Roles lists the role reference data.
func (ad *Admin) Roles(ctx context.Context) ([]domain.RoleInfo, error) { return ad.st.Roles(ctx) }

// EnsureAgency returns the partnership's agency called name, creating it with
// type t when it does not exist (the command line's user add uses it).
func (ad *Admin) EnsureAgency(ctx context.Context, a domain.Actor, name string, t domain.AgencyType) (domain.Agency, error) {
	if err := mustAdmin(a); err != nil {
		return domain.Agency{}, err
	}
	ag, err := ad.st.AgencyByName(ctx, ad.st.Reader(), a.PartnershipID, name)
	if err == nil || !errors.Is(err, domain.ErrNotFound) {
		return ag, err
	}
	if strings.TrimSpace(name) == "" || t == "" {
		verr := &domain.ValidationError{}
		verr.Add("agency", "No agency called %q: give --agency-type to create it", name)
		return domain.Agency{}, verr
	}
	list := []domain.Agency{{PartnershipID: a.PartnershipID, Name: strings.TrimSpace(name), Type: t}}
	err = ad.st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error { return ad.st.InsertAgencies(ctx, tx, list) })
	return list[0], err
}
