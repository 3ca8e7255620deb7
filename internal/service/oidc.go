package service

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"alliance/internal/audit"
	"alliance/internal/auth"
	"alliance/internal/domain"
)

// OIDCSettings configure sign-in through an identity provider.
type OIDCSettings struct {
	Issuer, ClientID, ClientSecret, RedirectURL, Label string
	// GroupRoles maps values of the "groups" claim to Alliance roles. When
	// it is not empty, each sign-in sets the user's roles from their groups.
	GroupRoles map[string][]string
}

// OIDC signs users in through their agency's identity provider (Entra ID
// and similar) with the authorisation code flow, PKCE (S256), a nonce and a
// state. Users are matched on the provider's issuer and subject, never on
// e-mail alone, and must have been linked by an administrator first.
type OIDC struct {
	id       *Identity
	provider *oidc.Provider
	verifier *oidc.IDTokenVerifier
	oauth    oauth2.Config
	set      OIDCSettings
}

// NewOIDC discovers the provider. ctx bounds the discovery request.
func NewOIDC(ctx context.Context, id *Identity, set OIDCSettings) (*OIDC, error) {
	p, err := oidc.NewProvider(ctx, set.Issuer)
	if err != nil {
		return nil, fmt.Errorf("oidc: discover %s: %w", set.Issuer, err)
	}
	if set.Label == "" {
		set.Label = "Sign in with your agency account"
	}
	return &OIDC{
		id:       id,
		provider: p,
		verifier: p.Verifier(&oidc.Config{ClientID: set.ClientID}),
		oauth: oauth2.Config{ClientID: set.ClientID, ClientSecret: set.ClientSecret, RedirectURL: set.RedirectURL,
			Endpoint: p.Endpoint(), Scopes: []string{oidc.ScopeOpenID, "email", "profile", "groups"}},
		set: set,
	}, nil
}

// Label is the sign-in button's text.
func (o *OIDC) Label() string { return o.set.Label }

// OIDCState is what a browser carries, sealed, between the redirect to the
// provider and the callback.
type OIDCState struct {
	State, Nonce, Verifier, Next string
	Expires                      time.Time
}

// Begin returns the provider URL to send the browser to, and the sealed
// state to keep in a short-lived cookie.
func (o *OIDC) Begin(next string) (string, string) {
	st := OIDCState{State: auth.NewToken(24), Nonce: auth.NewToken(24), Verifier: oauth2.GenerateVerifier(), Next: next,
		Expires: o.id.now().Add(10 * time.Minute)}
	b, _ := json.Marshal(st)
	u := o.oauth.AuthCodeURL(st.State, oidc.Nonce(st.Nonce), oauth2.S256ChallengeOption(st.Verifier))
	return u, o.id.box.Seal(string(b))
}

// ErrOIDCNotLinked means the provider vouched for someone no administrator
// has linked to an Alliance user.
var ErrOIDCNotLinked = errors.New("oidc: identity not linked to a user")

// ErrOIDCFailed means the callback was not a valid answer to our request.
var ErrOIDCFailed = errors.New("oidc: sign-in failed")

// Finish checks the provider's answer against the sealed state, exchanges
// the code, verifies the ID token and its nonce, and starts a full session
// for the linked user. It returns the session token and where to go next.
func (o *OIDC) Finish(ctx context.Context, sealed, state, code string, c Client) (token, next string, err error) {
	raw, err := o.id.box.Open(sealed)
	if err != nil {
		return "", "", ErrOIDCFailed
	}
	var st OIDCState
	if err := json.Unmarshal([]byte(raw), &st); err != nil || st.State == "" || st.State != state || !o.id.now().Before(st.Expires) {
		return "", "", ErrOIDCFailed
	}
	tok, err := o.oauth.Exchange(ctx, code, oauth2.VerifierOption(st.Verifier))
	if err != nil {
		return "", "", fmt.Errorf("%w: exchange: %v", ErrOIDCFailed, err)
	}
	rawID, ok := tok.Extra("id_token").(string)
	if !ok {
		return "", "", fmt.Errorf("%w: no id_token", ErrOIDCFailed)
	}
	idt, err := o.verifier.Verify(ctx, rawID)
	if err != nil {
		return "", "", fmt.Errorf("%w: verify: %v", ErrOIDCFailed, err)
	}
	if idt.Nonce != st.Nonce {
		return "", "", fmt.Errorf("%w: nonce", ErrOIDCFailed)
	}
	var claims struct {
		Groups []string `json:"groups"`
	}
	_ = idt.Claims(&claims)
	cred, err := o.id.st.CredentialsByOIDC(ctx, o.id.st.Reader(), idt.Issuer, idt.Subject)
	if errors.Is(err, domain.ErrNotFound) || (err == nil && (!cred.User.Active || cred.ServiceAccount)) {
		o.id.event(ctx, "", "", "oidc identity not linked", "oidc", c)
		return "", "", ErrOIDCNotLinked
	}
	if err != nil {
		return "", "", err
	}
	var roles []domain.Role
	if len(o.set.GroupRoles) > 0 {
		seen := map[domain.Role]bool{}
		for _, g := range claims.Groups {
			for _, r := range o.set.GroupRoles[g] {
				if !seen[domain.Role(r)] {
					seen[domain.Role(r)] = true
					roles = append(roles, domain.Role(r))
				}
			}
		}
	}
	err = o.id.st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if len(o.set.GroupRoles) > 0 && !sameRoles(cred.User.Roles, roles) {
			if err := o.id.st.SetUserRoles(ctx, tx, cred.User.PartnershipID, cred.User.ID, roles); err != nil {
				return err
			}
			if o.id.alog != nil {
				who := actorOf(cred, domain.ActorUser, "", nil)
				if _, err := o.id.alog.Append(ctx, tx, who, audit.MetaFrom(ctx), audit.Entry{Operation: audit.Alteration, RecordType: "user",
					RecordIDs: []string{cred.User.ID}, Label: cred.User.Email + " (roles from the identity provider's groups)", Fields: []string{"roles"}}); err != nil {
					return err
				}
			}
		}
		return o.id.finishSignIn(ctx, tx, cred.User, "", "oidc", &token, c)
	})
	return token, st.Next, err
}

// LinkOIDC links a user of the partnership to an identity at the configured
// provider.
func (ad *Admin) LinkOIDC(ctx context.Context, a domain.Actor, userID, issuer, subject string) error {
	c, err := ad.target(ctx, a, userID)
	if err != nil {
		return err
	}
	if issuer == "" || subject == "" {
		verr := &domain.ValidationError{}
		verr.Add("subject", "Enter the person's subject identifier at the identity provider")
		return verr
	}
	return ad.st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := ad.st.LinkOIDC(ctx, tx, userID, issuer, subject); err != nil {
			return err
		}
		return ad.record(ctx, tx, a, audit.Alteration, c.User, "oidc_link")
	})
}

// Issuer returns the provider's issuer URL.
func (o *OIDC) Issuer() string { return o.set.Issuer }

func sameRoles(a, b []domain.Role) bool {
	if len(a) != len(b) {
		return false
	}
	seen := map[domain.Role]bool{}
	for _, r := range a {
		seen[r] = true
	}
	for _, r := range b {
		if !seen[r] {
			return false
		}
	}
	return true
}
