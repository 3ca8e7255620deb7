package web

import (
	"net/http"
	"strconv"

	"alliance/internal/router"
	"alliance/internal/service"
)

type accountData struct {
	Sessions      []service.StoredSession
	CurrentID     string
	Tokens        []service.APIToken
	RecoveryLeft  int
	TokenForm     *Form
	NewToken      string
	NewTokenName  string
	SignedOutMany int64
}

func (h *Web) accountPage(w http.ResponseWriter, r *http.Request, status int, d accountData) error {
	a := router.ActorFrom(r.Context())
	sessions, err := h.id.Sessions(r.Context(), a)
	if err != nil {
		return err
	}
	tokens, err := h.id.Tokens(r.Context(), a, false)
	if err != nil {
		return err
	}
	left, err := h.id.RecoveryCodesLeft(r.Context(), a)
	if err != nil {
		return err
	}
	d.Sessions, d.CurrentID, d.Tokens, d.RecoveryLeft = sessions, a.SessionID, tokens, left
	if d.TokenForm == nil {
		d.TokenForm = NewForm(map[string][]string{"days": {"90"}, "scopes": {"read"}})
	}
	p := h.newPage(r, "Your account", "/account")
	p.Errors = d.TokenForm.Summary()
	p.Data = d
	return h.render(w, r, status, "account", p)
}

func (h *Web) account(w http.ResponseWriter, r *http.Request) error {
	return h.accountPage(w, r, http.StatusOK, accountData{})
}

func (h *Web) revokeSession(w http.ResponseWriter, r *http.Request) error {
	if err := h.id.RevokeOwnSession(r.Context(), router.ActorFrom(r.Context()), r.PathValue("id")); err != nil {
		return err
	}
	seeOther(w, r, "/account")
	return nil
}

func (h *Web) signOutEverywhere(w http.ResponseWriter, r *http.Request) error {
	if _, err := h.id.SignOutEverywhere(r.Context(), router.ActorFrom(r.Context())); err != nil {
		return err
	}
	clearSessionCookie(w)
	seeOther(w, r, "/sign-in?signed-out=everywhere")
	return nil
}

func (h *Web) passwordPage(w http.ResponseWriter, r *http.Request, status int, f *Form) error {
	p := h.newPage(r, "Change your password", "/account")
	p.Errors = f.Summary()
	p.Data = f
	return h.render(w, r, status, "change_password", p)
}

func (h *Web) passwordForm(w http.ResponseWriter, r *http.Request) error {
	return h.passwordPage(w, r, http.StatusOK, NewForm(nil))
}

func (h *Web) changePassword(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	f := NewForm(r.PostForm)
	if f.Values.Get("password") != f.Values.Get("confirm") {
		f.Fail("confirm", "The passwords do not match")
		return h.passwordPage(w, r, http.StatusUnprocessableEntity, f)
	}
	err := h.id.ChangePassword(r.Context(), router.ActorFrom(r.Context()), f.Values.Get("current"), f.Values.Get("password"))
	if f.FailAll(err) {
		return h.passwordPage(w, r, http.StatusUnprocessableEntity, f)
	}
	if err != nil {
		return err
	}
	seeOther(w, r, "/account?changed=password")
	return nil
}

func (h *Web) createToken(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	f := NewForm(r.PostForm)
	days, _ := strconv.Atoi(f.Get("days"))
	plain, t, err := h.id.CreateToken(r.Context(), router.ActorFrom(r.Context()), service.TokenInput{Name: f.Get("name"), Scopes: f.Values["scopes"], Days: days,
		Purpose: f.Get("purpose")})
	if f.FailAll(err) {
		return h.accountPage(w, r, http.StatusUnprocessableEntity, accountData{TokenForm: f})
	}
	if err != nil {
		return err
	}
	return h.accountPage(w, r, http.StatusOK, accountData{NewToken: plain, NewTokenName: t.Name})
}

func (h *Web) revokeToken(w http.ResponseWriter, r *http.Request) error {
	if err := h.id.RevokeToken(r.Context(), router.ActorFrom(r.Context()), r.PathValue("id")); err != nil {
		return err
	}
	seeOther(w, r, "/account")
	return nil
}
