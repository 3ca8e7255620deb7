package web

import (
	"encoding/base64"
	"errors"
	"html/template"
	"net/http"

	"alliance/internal/router"
	"alliance/internal/service"
)

type signInData struct {
	Form      *Form
	Next      string
	OIDCLabel string
}

func (h *Web) signInPage(w http.ResponseWriter, r *http.Request, status int, f *Form) error {
	ps, err := h.svc.Partnerships(r.Context())
	if err != nil {
		return err
	}
	if len(ps) == 0 {
		return h.render(w, r, http.StatusOK, "setup", h.newPage(r, "Set up Alliance", ""))
	}
	p := h.newPage(r, "Sign in", "")
	p.Errors = f.Summary()
	d := signInData{Form: f, Next: safeNext(f.Get("next"))}
	if h.oidc != nil {
		d.OIDCLabel = h.oidc.Label()
	}
	p.Data = d
	return h.render(w, r, status, "sign_in", p)
}

func (h *Web) signInForm(w http.ResponseWriter, r *http.Request) error {
	if !router.ActorFrom(r.Context()).Anonymous() {
		seeOther(w, r, "/")
		return nil
	}
	return h.signInPage(w, r, http.StatusOK, NewForm(r.URL.Query()))
}

func (h *Web) signIn(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	f := NewForm(r.PostForm)
	if f.Get("email") == "" {
		f.Fail("email", "Enter your email address")
	}
	if f.Values.Get("password") == "" {
		f.Fail("password", "Enter your password")
	}
	if !f.OK() {
		return h.signInPage(w, r, http.StatusUnprocessableEntity, f)
	}
	res, err := h.id.SignIn(r.Context(), f.Get("email"), f.Values.Get("password"), clientOf(r))
	switch {
	case errors.Is(err, service.ErrSignInFailed):
		f.Fail("email", "Enter a correct email address and password")
		return h.signInPage(w, r, http.StatusUnauthorized, f)
	case errors.Is(err, service.ErrThrottled):
		f.Fail("email", "Too many failed attempts. Wait 15 minutes, then try again, or ask your administrator to help")
		return h.signInPage(w, r, http.StatusTooManyRequests, f)
	case errors.Is(err, service.ErrBusy):
		f.Fail("email", "Alliance is busy. Wait a moment, then try again")
		return h.signInPage(w, r, http.StatusServiceUnavailable, f)
	case err != nil:
		return err
	}
	setSessionCookie(w, res.Token)
	next := safeNext(f.Get("next"))
	switch {
	case res.Stage == service.StageFull:
		seeOther(w, r, next)
	case res.NeedsEnrolment:
		seeOther(w, r, "/sign-in/set-up-second-factor")
	default:
		seeOther(w, r, "/sign-in/second-factor?next="+template.URLQueryEscaper(next))
	}
	return nil
}

func (h *Web) secondFactorPage(w http.ResponseWriter, r *http.Request, status int, f *Form) error {
	p := h.newPage(r, "Enter your security code", "")
	p.Errors = f.Summary()
	p.Data = signInData{Form: f, Next: safeNext(f.Get("next"))}
	return h.render(w, r, status, "second_factor", p)
}

func (h *Web) secondFactorForm(w http.ResponseWriter, r *http.Request) error {
	return h.secondFactorPage(w, r, http.StatusOK, NewForm(r.URL.Query()))
}

func (h *Web) secondFactor(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	f := NewForm(r.PostForm)
	s, ok := sessionFrom(r.Context())
	if !ok {
		seeOther(w, r, "/sign-in")
		return nil
	}
	if f.Get("code") == "" {
		f.Fail("code", "Enter the 6-digit security code from your authenticator app")
		return h.secondFactorPage(w, r, http.StatusUnprocessableEntity, f)
	}
	tok, err := h.id.CompleteSecondFactor(r.Context(), s, f.Get("code"), clientOf(r))
	switch {
	case errors.Is(err, service.ErrCodeWrong):
		f.Fail("code", "Enter the current security code from your authenticator app, or an unused recovery code")
		return h.secondFactorPage(w, r, http.StatusUnauthorized, f)
	case errors.Is(err, service.ErrThrottled):
		f.Fail("code", "Too many failed attempts. Wait 15 minutes, then sign in again")
		return h.secondFactorPage(w, r, http.StatusTooManyRequests, f)
	case err != nil:
		return err
	}
	setSessionCookie(w, tok)
	seeOther(w, r, safeNext(f.Get("next")))
	return nil
}

type enrolData struct {
	Form   *Form
	Sealed string
	Secret string
	QR     template.URL
}

func (h *Web) enrolPage(w http.ResponseWriter, r *http.Request, status int, f *Form, sealed string) error {
	s, ok := sessionFrom(r.Context())
	if !ok {
		seeOther(w, r, "/sign-in")
		return nil
	}
	var e service.Enrolment
	var err error
	if sealed == "" {
		e, err = h.id.BeginEnrolment(r.Context(), s)
	} else {
		e, err = h.id.ResumeEnrolment(r.Context(), sealed, s)
	}
	if errors.Is(err, service.ErrAlreadyEnrolled) {
		seeOther(w, r, "/sign-in/second-factor")
		return nil
	}
	if err != nil {
		return err
	}
	p := h.newPage(r, "Set up your second factor", "")
	p.Errors = f.Summary()
	// The QR code is a data: URL, which the CSP allows for images.
	p.Data = enrolData{Form: f, Sealed: e.Sealed, Secret: e.Secret, QR: template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(e.PNG))} //nolint:gosec // base64 of a PNG we drew
	return h.render(w, r, status, "set_up_second_factor", p)
}

func (h *Web) enrolForm(w http.ResponseWriter, r *http.Request) error {
	return h.enrolPage(w, r, http.StatusOK, NewForm(nil), "")
}

func (h *Web) enrol(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	f := NewForm(r.PostForm)
	s, ok := sessionFrom(r.Context())
	if !ok {
		seeOther(w, r, "/sign-in")
		return nil
	}
	codes, tok, err := h.id.ConfirmEnrolment(r.Context(), s, f.Get("sealed"), f.Get("code"), clientOf(r))
	if errors.Is(err, service.ErrAlreadyEnrolled) {
		seeOther(w, r, "/sign-in/second-factor")
		return nil
	}
	if errors.Is(err, service.ErrCodeWrong) {
		f.Fail("code", "Enter the 6-digit code your authenticator app shows for Alliance")
		return h.enrolPage(w, r, http.StatusUnprocessableEntity, f, f.Get("sealed"))
	}
	if err != nil {
		return err
	}
	if tok != "" {
		setSessionCookie(w, tok)
	}
	p := h.newPage(r, "Save your recovery codes", "")
	p.Data = codes
	return h.render(w, r, http.StatusOK, "recovery_codes", p)
}

func (h *Web) signOut(w http.ResponseWriter, r *http.Request) error {
	if s, ok := sessionFrom(r.Context()); ok {
		if err := h.id.SignOut(r.Context(), s); err != nil {
			return err
		}
	}
	clearSessionCookie(w)
	seeOther(w, r, "/sign-in?signed-out=1")
	return nil
}

const oidcCookie = "__Host-alliance_oidc"

func (h *Web) oidcBegin(w http.ResponseWriter, r *http.Request) error {
	if h.oidc == nil {
		return errNotFound
	}
	u, sealed := h.oidc.Begin(safeNext(r.URL.Query().Get("next")))
	http.SetCookie(w, &http.Cookie{Name: oidcCookie, Value: sealed, Path: "/", Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode, MaxAge: 600})
	// The one redirect off this site: to the configured identity provider,
	// whose address comes from configuration, never from the request.
	http.Redirect(w, r, u, http.StatusSeeOther) //nolint:gosec // the provider's authorisation URL, built from configuration
	return nil
}

func (h *Web) oidcCallback(w http.ResponseWriter, r *http.Request) error {
	if h.oidc == nil {
		return errNotFound
	}
	c, err := r.Cookie(oidcCookie)
	http.SetCookie(w, &http.Cookie{Name: oidcCookie, Value: "", Path: "/", Secure: true, HttpOnly: true, SameSite: http.SameSiteLaxMode, MaxAge: -1})
	f := NewForm(nil)
	if err != nil {
		f.Fail("email", "Sign-in with your agency account did not complete. Try again")
		return h.signInPage(w, r, http.StatusBadRequest, f)
	}
	q := r.URL.Query()
	tok, next, err := h.oidc.Finish(r.Context(), c.Value, q.Get("state"), q.Get("code"), clientOf(r))
	switch {
	case errors.Is(err, service.ErrOIDCNotLinked):
		f.Fail("email", "Your agency account is not linked to Alliance. Ask your Alliance administrator to link it")
		return h.signInPage(w, r, http.StatusForbidden, f)
	case errors.Is(err, service.ErrOIDCFailed):
		h.log.WarnContext(r.Context(), "oidc sign-in failed", "error", err.Error())
		f.Fail("email", "Sign-in with your agency account did not complete. Try again")
		return h.signInPage(w, r, http.StatusBadRequest, f)
	case err != nil:
		return err
	}
	setSessionCookie(w, tok)
	seeOther(w, r, safeNext(next))
	return nil
}

// tooMany answers a sign-in refused by the per-address rate limit.
func (h *Web) tooMany(w http.ResponseWriter, r *http.Request) error {
	f := NewForm(nil)
	f.Fail("email", "Too many attempts from your network. Wait a minute, then try again")
	return h.signInPage(w, r, http.StatusTooManyRequests, f)
}
