package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"alliance/internal/authz"
	"alliance/internal/domain"
	"alliance/internal/router"
	"alliance/internal/service"
	"alliance/internal/web/view"
)

func (h *Web) flagOptions(ctx context.Context, f *Form) ([]Option, error) {
	types, err := h.register.FlagTypes(ctx)
	if err != nil {
		return nil, err
	}
	opts := make([]Option, len(types))
	for i, t := range types {
		opts[i] = Option{Value: t.Code, Label: t.Name, Checked: f.Has("flags", t.Code)}
	}
	return opts, nil
}

func personInput(f *Form) service.PersonInput {
	return service.PersonInput{Kind: f.Get("kind"), Name: f.Get("name"), Aliases: lines(f.Get("aliases")), Nicknames: lines(f.Get("nicknames")),
		DOB: f.Get("dob"), Gender: f.Get("gender"), Identifier: f.Get("identifier"), Detail: f.Get("detail"), Flags: f.Values["flags"]}
}

// lines splits a textarea into its non-blank lines.
func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

type entityData struct {
	service.EntityView
	FlagNames []string
	Far       []farLink
	CanLink   bool
	// Reports are the information reports linked to the entity that the
	// viewer may see.
	Reports []domain.InfoReport
}

// farLink is a link seen from one end: what it says and where it leads.
type farLink struct {
	Link     domain.Link
	Outgoing bool // this record is the link's from end
	Href     string
	Name     string
}

func farLinks(id string, links []domain.Link) []farLink {
	out := make([]farLink, 0, len(links))
	for _, l := range links {
		fl := farLink{Link: l}
		if l.FromID == id {
			fl.Outgoing, fl.Href, fl.Name = true, nodeHref(l.ToKind, l.ToID), l.ToName
		} else {
			fl.Href, fl.Name = nodeHref(l.FromKind, l.FromID), l.FromName
		}
		out = append(out, fl)
	}
	return out
}

func (h *Web) entityShow(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	a := router.ActorFrom(ctx)
	v, err := h.register.Entity(ctx, a, r.PathValue("id"))
	var need *service.PurposeNeeded
	if errors.As(err, &need) {
		return h.registerPurposePage(w, r, http.StatusOK, need, "/people/", NewForm(nil))
	}
	if err != nil {
		return err
	}
	d := entityData{EntityView: v, Far: farLinks(v.Entity.ID, v.Links), CanLink: h.register.Allowed(ctx, a, authz.Create, domain.KindEntity)}
	if len(v.Entity.Flags) > 0 {
		types, err := h.register.FlagTypes(ctx)
		if err != nil {
			return err
		}
		for _, t := range types {
			if slices.Contains(v.Entity.Flags, t.Code) {
				d.FlagNames = append(d.FlagNames, t.Name)
			}
		}
	}
	e := v.Entity
	if d.Reports, err = h.reports.About(ctx, a, e.ID); err != nil {
		return err
	}
	p := h.newPage(r, e.Reference+": "+e.Name, "/ocgs")
	p.Breadcrumbs = []view.Crumb{{Label: "Home", Href: "/"}, {Label: "Groups", Href: "/ocgs"}}
	p.Data = d
	return h.render(w, r, http.StatusOK, "entity", p)
}

type entityFormData struct {
	Form     *Form
	Kinds    []Option
	Flags    []Option
	Agencies []domain.Agency
	Types    []domain.AgencyTypeInfo
}

func (h *Web) entityFormPage(w http.ResponseWriter, r *http.Request, status int, f *Form) error {
	ctx := r.Context()
	a := router.ActorFrom(ctx)
	if !h.register.Allowed(ctx, a, authz.Create, domain.KindEntity) {
		return domain.ErrForbidden
	}
	flags, err := h.flagOptions(ctx, f)
	if err != nil {
		return err
	}
	ags, err := h.admin.Agencies(ctx, a)
	if err != nil {
		return err
	}
	types, err := h.svc.AgencyTypes(ctx)
	if err != nil {
		return err
	}
	kinds := make([]Option, len(domain.EntityKinds))
	for i, k := range domain.EntityKinds {
		kinds[i] = Option{Value: string(k), Label: k.Label()}
	}
	p := h.newPage(r, "Add a person or other record", "/ocgs")
	p.Breadcrumbs = []view.Crumb{{Label: "Home", Href: "/"}, {Label: "Groups", Href: "/ocgs"}}
	p.Errors = f.Summary()
	p.Data = entityFormData{Form: f, Kinds: kinds, Flags: flags, Agencies: ags, Types: types}
	return h.render(w, r, status, "entity_new", p)
}

func (h *Web) entityNew(w http.ResponseWriter, r *http.Request) error {
	kind := r.URL.Query().Get("kind")
	if _, ok := domain.ParseEntityKind(kind); !ok {
		kind = string(domain.EntityPerson)
	}
	return h.entityFormPage(w, r, http.StatusOK, NewForm(url.Values{"kind": {kind}, "classification": {"OFFICIAL-SENSITIVE"}, "handling": {"P"}, "restricted": {"no"}}))
}

func (h *Web) entityCreate(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	f := NewForm(r.PostForm)
	in := personInput(f)
	in.Marking = markingInput(f)
	e, err := h.register.AddEntity(r.Context(), router.ActorFrom(r.Context()), in)
	if f.FailAll(err) {
		return h.entityFormPage(w, r, http.StatusUnprocessableEntity, f)
	}
	if err != nil {
		return err
	}
	seeOther(w, r, "/people/"+e.ID)
	return nil
}
