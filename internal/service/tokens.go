package service

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"time"

	"alliance/internal/audit"
	"alliance/internal/auth"
	"alliance/internal/domain"
	"alliance/internal/store"
)

// TokenPrefix starts every API token, so leaked tokens are easy to find in
// code and logs scanners.
const TokenPrefix = "alliance_"

// TokenInput is what creating an API token takes.
type TokenInput struct {
	UserID string // whose authority the token carries; "" for the actor
	Name   string
	Scopes []string // "read", "write", and optionally record kinds
	Days   int      // lifetime, 1 to 365
	// ISAID is the sharing agreement a service account's reads rely on;
	// required for service accounts.
	ISAID string
	// Purpose is what the token's reads of records are for, logged with
	// each; optional, but without it every read of a record must send the
	// PurposeHeader.
	Purpose string
}

// CreateToken makes an API token and returns it in plain text, once. A user
// may create tokens for themselves; an administrator for a service account
// of the partnership.
func (id *Identity) CreateToken(ctx context.Context, a domain.Actor, in TokenInput) (string, store.APIToken, error) {
	target := in.UserID
	if target == "" {
		target = a.UserID
	}
	cred, err := id.st.CredentialsByID(ctx, id.st.Reader(), target)
	if err != nil || cred.User.PartnershipID != a.PartnershipID {
		return "", store.APIToken{}, domain.NotFound("user", target)
	}
	if target != a.UserID && !(a.Has(domain.RoleAdministrator) && cred.ServiceAccount) {
		return "", store.APIToken{}, domain.ErrForbidden
	}
	verr := &domain.ValidationError{}
	in.Name = strings.TrimSpace(in.Name)
	if in.Name == "" || len(in.Name) > 100 {
		verr.Add("name", "Enter a name of 100 characters or fewer, saying what the token is for")
	}
	if in.Days < 1 || in.Days > 365 {
		verr.Add("days", "Enter how many days the token lasts, from 1 to 365")
	}
	scopes, problem := ParseScopes(in.Scopes)
	if problem != "" {
		verr.Add("scopes", "%s", problem)
	}
	purpose, ok := cleanPurpose(in.Purpose)
	if !ok {
		verr.Add("purpose", "Enter the purpose of the token's reads on one line, in %d characters or fewer, or leave it empty", maxPurpose)
	}
	if cred.ServiceAccount {
		isas, err := id.st.ISAs(ctx, a.PartnershipID)
		if err != nil {
			return "", store.APIToken{}, err
		}
		ok := false
		for _, i := range isas {
			if i.ID == in.ISAID {
				usable, _ := i.Usable(id.now())
				ok = usable && i.HasParty(cred.User.AgencyID)
			}
		}
		if !ok {
			verr.Add("isa", "Choose the sharing agreement in force, with this system's agency as a party, that its reads rely on")
		}
	} else {
		in.ISAID = ""
	}
	if err := verr.Err(); err != nil {
		return "", store.APIToken{}, err
	}
	plain := TokenPrefix + auth.NewToken(32)
	now := id.now()
	t := store.APIToken{PartnershipID: a.PartnershipID, UserID: target, Name: in.Name, Prefix: plain[:len(TokenPrefix)+6], Scopes: scopes,
		CreatedBy: a.UserID, CreatedAt: now, ExpiresAt: now.Add(time.Duration(in.Days) * 24 * time.Hour), ISAID: in.ISAID, Purpose: purpose}
	err = id.st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := id.st.CreateAPIToken(ctx, tx, &t, auth.HashToken(plain)); err != nil {
			return err
		}
		if id.alog == nil {
			return nil
		}
		_, err := id.alog.Append(ctx, tx, a, audit.MetaFrom(ctx), audit.Entry{Operation: audit.Collection, RecordType: "api_token",
			RecordIDs: []string{t.ID, target}, Label: t.Name + " for " + cred.User.Email, Fields: t.Scopes, ISAID: t.ISAID})
		return err
	})
	return plain, t, err
}

// ParseScopes checks token scopes: "read" and/or "write", plus optional
// record kinds that narrow the token.
func ParseScopes(in []string) ([]string, string) {
	var out []string
	for _, s := range in {
		for _, f := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return r == ',' || r == ' ' }) {
			switch f {
			case "read", "write", string(domain.KindInfoReport):
				if !slices.Contains(out, f) {
					out = append(out, f)
				}
			default:
				return nil, "Unknown scope " + f + ": use read, write and optionally " + string(domain.KindInfoReport)
			}
		}
	}
	if !slices.Contains(out, "read") && !slices.Contains(out, "write") {
		return nil, "Choose read, write or both"
	}
	return out, ""
}

// AuthenticateToken resolves a bearer token to an actor.
func (id *Identity) AuthenticateToken(ctx context.Context, plain string) (domain.Actor, error) {
	if !strings.HasPrefix(plain, TokenPrefix) {
		return domain.Actor{}, domain.NotFound("token", "")
	}
	t, err := id.st.APITokenByHash(ctx, auth.HashToken(plain))
	if err != nil {
		return domain.Actor{}, err
	}
	now := id.now()
	if !now.Before(t.ExpiresAt) {
		return domain.Actor{}, domain.NotFound("token", "")
	}
	cred, err := id.st.CredentialsByID(ctx, id.st.Reader(), t.UserID)
	if err != nil {
		return domain.Actor{}, err
	}
	if !cred.User.Active {
		return domain.Actor{}, domain.NotFound("token", "")
	}
	if t.LastUsedAt.IsZero() || now.Sub(t.LastUsedAt) > time.Minute {
		if err := id.st.TouchAPIToken(ctx, t.ID, now); err != nil {
			id.log.WarnContext(ctx, "touch api token", "error", err.Error())
		}
	}
	actor := actorOf(cred, domain.ActorToken, t.ID, t.Scopes)
	actor.ISAID, actor.TokenName, actor.Purpose = t.ISAID, t.Name, t.Purpose
	return actor, nil
}

// Tokens lists the actor's own tokens, or, for an administrator with all
// set, every token of the partnership.
func (id *Identity) Tokens(ctx context.Context, a domain.Actor, all bool) ([]store.APIToken, error) {
	user := a.UserID
	if all {
		if !a.Has(domain.RoleAdministrator) {
			return nil, domain.ErrForbidden
		}
		user = ""
	}
	return id.st.APITokens(ctx, a.PartnershipID, user)
}

// RevokeToken revokes one of the actor's tokens (any of the partnership's
// for an administrator).
func (id *Identity) RevokeToken(ctx context.Context, a domain.Actor, tokenID string) error {
	user := a.UserID
	if a.Has(domain.RoleAdministrator) {
		user = ""
	}
	err := id.st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		return id.st.RevokeAPIToken(ctx, tx, a.PartnershipID, user, tokenID)
	})
	if errors.Is(err, domain.ErrNotFound) {
		return domain.NotFound("token", tokenID)
	}
	return err
}
