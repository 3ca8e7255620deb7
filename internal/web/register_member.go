package web

import (
	"net/http"
	"net/url"

	"alliance/internal/domain"
	"alliance/internal/router"
	"alliance/internal/service"
	"alliance/internal/web/view"
)

type memberFormData struct {
	OCG   domain.OCG
	Form  *Form
	Flags []Option
}

func (h *Web) memberPage(w http.ResponseWriter, r *http.Request, status int, v service.GroupView, f *Form) error {
	if !v.CanPlan {
		return domain.ErrForbidden
	}
	flags, err := h.flagOptions(r.Context(), f)
	if err != nil {
		return err
	}
	p := h.newPage(r, "Add a member: "+v.OCG.Reference, "/ocgs")
	p.Breadcrumbs = []view.Crumb{{Label: "Home", Href: "/"}, {Label: "Groups", Href: "/ocgs"}, {Label: v.OCG.Reference, Href: "/ocgs/" + v.OCG.ID}}
	p.Errors = f.Summary()
	p.Data = memberFormData{OCG: v.OCG, Form: f, Flags: flags}
	return h.render(w, r, status, "ocg_member_new", p)
}

func (h *Web) ocgMemberNew(w http.ResponseWriter, r *http.Request) error {
	v, handled, err := h.group(w, r)
	if handled || err != nil {
		return err
	}
	return h.memberPage(w, r, http.StatusOK, v, NewForm(url.Values{"who": {"new"}, "confidence": {"medium"}}))
}

func (h *Web) ocgMemberCreate(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	f := NewForm(r.PostForm)
	ctx := r.Context()
	a := router.ActorFrom(ctx)
	id := r.PathValue("id")
	in := service.MemberInput{Role: f.Get("role"), From: f.Get("from"), SourceRef: f.Get("source_ref"), Confidence: f.Get("confidence")}
	var err error
	switch f.Get("who") {
	case "existing":
		ref, rerr := h.register.Resolve(ctx, a, f.Get("person"))
		switch {
		case f.Get("person") == "":
			f.Fail("person", "Enter the person's reference, like P-000123")
		case rerr != nil || ref.Kind != domain.NodeEntity || ref.Entity != domain.EntityPerson:
			f.Fail("person", "There is no person you can see with reference "+f.Get("person"))
		default:
			in.PersonID = ref.ID
		}
	case "new":
		in.Person = personInput(f)
		in.Person.Kind = string(domain.EntityPerson)
	default:
		f.Fail("who", "Choose an existing person or a new person")
	}
	if f.OK() {
		_, err = h.register.AddMember(ctx, a, id, in)
		if err == nil {
			seeOther(w, r, "/ocgs/"+id+"#members")
			return nil
		}
	}
	if f.OK() && !f.FailAll(err) {
		return err
	}
	v, handled, gerr := h.group(w, r)
	if handled || gerr != nil {
		return gerr
	}
	return h.memberPage(w, r, http.StatusUnprocessableEntity, v, f)
}
