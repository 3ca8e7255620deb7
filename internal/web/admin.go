package web

import (
	"net/http"
	"net/url"

	"alliance/internal/domain"
	"alliance/internal/router"
	"alliance/internal/service"
	"alliance/internal/web/view"
)

func (h *Web) adminUsers(w http.ResponseWriter, r *http.Request) error {
	users, err := h.admin.Users(r.Context(), router.ActorFrom(r.Context()))
	if err != nil {
		return err
	}
	p := h.newPage(r, "Users", "/admin/users")
	p.Data = users
	return h.render(w, r, http.StatusOK, "admin_users", p)
}

type userFormData struct {
	Form     *Form
	Agencies []domain.Agency
	Roles    []domain.RoleInfo
}

func (h *Web) userFormPage(w http.ResponseWriter, r *http.Request, status int, f *Form) error {
	a := router.ActorFrom(r.Context())
	ags, err := h.admin.Agencies(r.Context(), a)
	if err != nil {
		return err
	}
	roles, err := h.admin.Roles(r.Context())
	if err != nil {
		return err
	}
	p := h.newPage(r, "Add a user", "/admin/users")
	p.Errors = f.Summary()
	p.Breadcrumbs = []view.Crumb{{Label: "Users", Href: "/admin/users"}}
	p.Data = userFormData{Form: f, Agencies: ags, Roles: roles}
	return h.render(w, r, status, "admin_user_new", p)
}

func (h *Web) adminUserNew(w http.ResponseWriter, r *http.Request) error {
	return h.userFormPage(w, r, http.StatusOK, NewForm(nil))
}

func (h *Web) adminUserCreate(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	f := NewForm(r.PostForm)
	u, err := h.admin.CreateUser(r.Context(), router.ActorFrom(r.Context()), service.NewUser{Email: f.Get("email"), Name: f.Get("name"),
		AgencyID: f.Get("agency"), Roles: f.Values["roles"], ServiceAccount: f.Get("service_account") == "yes"})
	if f.FailAll(err) {
		return h.userFormPage(w, r, http.StatusUnprocessableEntity, f)
	}
	if err != nil {
		return err
	}
	seeOther(w, r, "/admin/users/"+u.ID+"?created=1")
	return nil
}

type userData struct {
	User      service.UserSummary
	Events    []service.SignInEvent
	Roles     []domain.RoleInfo
	Form      *Form
	ResetURL  string
	OIDC      bool
	Issuer    string
	Tokens    []service.APIToken
	NewToken  string
	TokenForm *Form
	ISAs      []Option
}

func (h *Web) adminUserPage(w http.ResponseWriter, r *http.Request, status int, d userData) error {
	a := router.ActorFrom(r.Context())
	u, events, err := h.admin.User(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	roles, err := h.admin.Roles(r.Context())
	if err != nil {
		return err
	}
	if d.Form == nil {
		v := url.Values{}
		for _, role := range u.Roles {
			v.Add("roles", string(role))
		}
		d.Form = NewForm(v)
	}
	if d.TokenForm == nil {
		d.TokenForm = NewForm(url.Values{"days": {"90"}, "scopes": {"read"}})
	}
	d.User, d.Events, d.Roles = u, events, roles
	if h.oidc != nil {
		d.OIDC, d.Issuer = true, h.oidc.Issuer()
	}
	if u.ServiceAccount {
		isas, err := h.sharing.UsableBy(r.Context(), domain.Actor{UserID: a.UserID, PartnershipID: a.PartnershipID, AgencyID: u.AgencyID})
		if err != nil {
			return err
		}
		for _, i := range isas {
			d.ISAs = append(d.ISAs, Option{Value: i.ID, Label: i.Reference + ": " + i.Title})
		}
		all, err := h.id.Tokens(r.Context(), a, true)
		if err != nil {
			return err
		}
		for _, t := range all {
			if t.UserID == u.ID {
				d.Tokens = append(d.Tokens, t)
			}
		}
	}
	p := h.newPage(r, u.DisplayName, "/admin/users")
	p.Breadcrumbs = []view.Crumb{{Label: "Users", Href: "/admin/users"}}
	p.Errors = append(d.Form.Summary(), d.TokenForm.Summary()...)
	p.Data = d
	return h.render(w, r, status, "admin_user", p)
}

func (h *Web) adminUser(w http.ResponseWriter, r *http.Request) error {
	return h.adminUserPage(w, r, http.StatusOK, userData{})
}

func (h *Web) adminUserRoles(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	f := NewForm(r.PostForm)
	err := h.admin.SetRoles(r.Context(), router.ActorFrom(r.Context()), r.PathValue("id"), f.Values["roles"])
	if f.FailAll(err) {
		return h.adminUserPage(w, r, http.StatusUnprocessableEntity, userData{Form: f})
	}
	if err != nil {
		return err
	}
	seeOther(w, r, "/admin/users/"+url.PathEscape(r.PathValue("id")))
	return nil
}

func (h *Web) adminUserActive(active bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		f := NewForm(nil)
		err := h.admin.SetActive(r.Context(), router.ActorFrom(r.Context()), r.PathValue("id"), active)
		if f.FailAll(err) {
			return h.adminUserPage(w, r, http.StatusUnprocessableEntity, userData{Form: f})
		}
		if err != nil {
			return err
		}
		seeOther(w, r, "/admin/users/"+url.PathEscape(r.PathValue("id")))
		return nil
	}
}

func (h *Web) adminUserReset(w http.ResponseWriter, r *http.Request) error {
	tok, _, err := h.admin.IssueReset(r.Context(), router.ActorFrom(r.Context()), r.PathValue("id"))
	if err != nil {
		return err
	}
	return h.adminUserPage(w, r, http.StatusOK, userData{ResetURL: "/reset-password/" + tok})
}

func (h *Web) adminUserOIDC(w http.ResponseWriter, r *http.Request) error {
	if h.oidc == nil {
		return domain.NotFound("page", "")
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	f := NewForm(r.PostForm)
	err := h.admin.LinkOIDC(r.Context(), router.ActorFrom(r.Context()), r.PathValue("id"), h.oidc.Issuer(), f.Get("subject"))
	if f.FailAll(err) {
		return h.adminUserPage(w, r, http.StatusUnprocessableEntity, userData{Form: f})
	}
	if err != nil {
		return err
	}
	seeOther(w, r, "/admin/users/"+url.PathEscape(r.PathValue("id")))
	return nil
}

func (h *Web) adminUserToken(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	f := NewForm(r.PostForm)
	days := atoiOr(f.Get("days"), 0)
	plain, _, err := h.id.CreateToken(r.Context(), router.ActorFrom(r.Context()), service.TokenInput{UserID: r.PathValue("id"), Name: f.Get("name"), Scopes: f.Values["scopes"], Days: days, ISAID: f.Get("isa"),
		Purpose: f.Get("purpose")})
	if f.FailAll(err) {
		return h.adminUserPage(w, r, http.StatusUnprocessableEntity, userData{TokenForm: f})
	}
	if err != nil {
		return err
	}
	return h.adminUserPage(w, r, http.StatusOK, userData{NewToken: plain})
}

func (h *Web) adminSignIns(w http.ResponseWriter, r *http.Request) error {
	ev, err := h.admin.SignIns(r.Context(), router.ActorFrom(r.Context()), 200)
	if err != nil {
		return err
	}
	p := h.newPage(r, "Sign-in history", "/admin/users")
	p.Breadcrumbs = []view.Crumb{{Label: "Users", Href: "/admin/users"}}
	p.Data = ev
	return h.render(w, r, http.StatusOK, "admin_sign_ins", p)
}

type resetData struct {
	Form  *Form
	Email string
}

func (h *Web) resetPage(w http.ResponseWriter, r *http.Request, status int, f *Form) error {
	c, err := h.admin.ResetUser(r.Context(), r.PathValue("token"))
	if err != nil {
		return err
	}
	p := h.newPage(r, "Set your password", "")
	p.Errors = f.Summary()
	p.Data = resetData{Form: f, Email: c.User.Email}
	return h.render(w, r, status, "reset_password", p)
}

func (h *Web) resetForm(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Referrer-Policy", "no-referrer")
	return h.resetPage(w, r, http.StatusOK, NewForm(nil))
}

func (h *Web) reset(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	f := NewForm(r.PostForm)
	if f.Values.Get("password") != f.Values.Get("confirm") {
		f.Fail("confirm", "The passwords do not match")
		return h.resetPage(w, r, http.StatusUnprocessableEntity, f)
	}
	err := h.admin.UseReset(r.Context(), r.PathValue("token"), f.Values.Get("password"))
	if f.FailAll(err) {
		return h.resetPage(w, r, http.StatusUnprocessableEntity, f)
	}
	if err != nil {
		return err
	}
	seeOther(w, r, "/sign-in?reset=1")
	return nil
}

func atoiOr(s string, def int) int {
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' || n > 1e6 {
			return def
		}
		n = n*10 + int(c-'0')
	}
	if s == "" {
		return def
	}
	return n
}
