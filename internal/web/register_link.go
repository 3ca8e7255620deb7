package web

import (
	"net/http"
	"net/url"

	"alliance/internal/authz"
	"alliance/internal/domain"
	"alliance/internal/router"
	"alliance/internal/service"
	"alliance/internal/web/view"
)

type linkFormData struct {
	Form  *Form
	From  service.NodeRef
	Back  string
	Types []Option
	Roles []Option
}

func (h *Web) linkFormPage(w http.ResponseWriter, r *http.Request, status int, f *Form) error {
	ctx := r.Context()
	a := router.ActorFrom(ctx)
	if !h.register.Allowed(ctx, a, authz.Create, domain.KindEntity) {
		return domain.ErrForbidden
	}
	from, err := h.register.Resolve(ctx, a, f.Get("from"))
	if err != nil {
		return err
	}
	types := []Option{{Value: "", Label: "Choose the kind of link"}}
	for _, t := range domain.LinkTypes {
		types = append(types, Option{Value: string(t), Label: t.Label()})
	}
	var roles []Option
	for _, role := range domain.MemberRoles {
		roles = append(roles, Option{Value: string(role), Label: role.Label()})
	}
	p := h.newPage(r, "Add a link from "+from.Reference, "/ocgs")
	p.Breadcrumbs = []view.Crumb{{Label: "Home", Href: "/"}, {Label: "Groups", Href: "/ocgs"}, {Label: from.Reference, Href: nodeHref(from.Kind, from.ID)}}
	p.Errors = f.Summary()
	p.Data = linkFormData{Form: f, From: from, Back: nodeHref(from.Kind, from.ID), Types: selectOptions(types, f.Get("type")), Roles: roles}
	return h.render(w, r, status, "link_new", p)
}

func (h *Web) linkNew(w http.ResponseWriter, r *http.Request) error {
	return h.linkFormPage(w, r, http.StatusOK, NewForm(url.Values{"from": {r.URL.Query().Get("from")}, "confidence": {"medium"}}))
}

func (h *Web) linkCreate(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	f := NewForm(r.PostForm)
	ctx := r.Context()
	a := router.ActorFrom(ctx)
	from, err := h.register.Resolve(ctx, a, f.Get("from"))
	if err != nil {
		return err
	}
	in := service.LinkInput{FromID: from.ID, Type: f.Get("type"), Role: f.Get("role"), From: f.Get("valid_from"), To: f.Get("valid_to"),
		SourceRef: f.Get("source_ref"), Confidence: f.Get("confidence"), Note: f.Get("note")}
	to, rerr := h.register.Resolve(ctx, a, f.Get("to"))
	switch {
	case f.Get("to") == "":
		f.Fail("to", "Enter the reference of the record to link to, like P-000123 or OCG-2026-0001")
	case rerr != nil:
		f.Fail("to", "There is no record you can see with reference "+f.Get("to"))
	default:
		in.ToID = to.ID
	}
	if f.OK() {
		_, err = h.register.Link(ctx, a, in)
		if err == nil {
			seeOther(w, r, nodeHref(from.Kind, from.ID))
			return nil
		}
		if !f.FailAll(err) {
			return err
		}
	}
	return h.linkFormPage(w, r, http.StatusUnprocessableEntity, f)
}
