package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"

	"alliance/internal/domain"
	"alliance/internal/eligibility"
	"alliance/internal/router"
	"alliance/internal/service"
)

type programmesData struct {
	Items    []domain.Programme
	MayWrite bool
}

func (h *Web) programmeList(w http.ResponseWriter, r *http.Request) error {
	a := router.ActorFrom(r.Context())
	list, err := h.programmes.List(r.Context(), a)
	if err != nil {
		return err
	}
	p := h.newPage(r, "Prevention programmes", "/programmes")
	p.Data = programmesData{Items: list, MayWrite: h.programmes.MayWrite(a)}
	return h.render(w, r, http.StatusOK, "programmes", p)
}

type programmeData struct {
	domain.Programme
	Rules    eligibility.Rules
	MayWrite bool
}

func (h *Web) programmeShow(w http.ResponseWriter, r *http.Request) error {
	a := router.ActorFrom(r.Context())
	prog, err := h.programmes.Get(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	rules, err := eligibility.Parse([]byte(prog.Rules))
	if err != nil {
		return err
	}
	p := h.newPage(r, prog.Name, "/programmes")
	p.Data = programmeData{Programme: prog, Rules: rules, MayWrite: h.programmes.MayWrite(a)}
	return h.render(w, r, http.StatusOK, "programme", p)
}

type programmeFormData struct {
	Form     *Form
	ID       string
	Kinds    []Option
	Agencies []domain.Agency
}

func (h *Web) programmeFormPage(w http.ResponseWriter, r *http.Request, status int, id string, f *Form) error {
	a := router.ActorFrom(r.Context())
	if !h.programmes.MayWrite(a) {
		return domain.ErrForbidden
	}
	ags, err := h.admin.Agencies(r.Context(), a)
	if err != nil {
		return err
	}
	kinds := make([]Option, 0, len(domain.ProgrammeKinds))
	for _, k := range domain.ProgrammeKinds {
		kinds = append(kinds, Option{Value: string(k), Label: k.Label()})
	}
	title := "Add a programme"
	if id != "" {
		title = "Change a programme"
	}
	p := h.newPage(r, title, "/programmes")
	p.Errors = f.Summary()
	p.Data = programmeFormData{Form: f, ID: id, Kinds: kinds, Agencies: ags}
	return h.render(w, r, status, "programme_form", p)
}

// programmeNew offers the form, its rules started from a programme
// Alliance ships with (Operation Choice's) for the administrator to change.
func (h *Web) programmeNew(w http.ResponseWriter, r *http.Request) error {
	v := url.Values{"active": {"yes"}, "min_age": {"10"}, "max_age": {"17"}}
	if ts, err := eligibility.Templates(); err == nil && len(ts) > 0 {
		if b, err := json.MarshalIndent(ts[0].Rules, "", "  "); err == nil {
			v.Set("rules", string(b))
		}
	}
	return h.programmeFormPage(w, r, http.StatusOK, "", NewForm(v))
}

func (h *Web) programmeEdit(w http.ResponseWriter, r *http.Request) error {
	a := router.ActorFrom(r.Context())
	prog, err := h.programmes.Get(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	v := url.Values{"name": {prog.Name}, "kind": {string(prog.Kind)}, "owner": {prog.OwnerAgencyID}, "min_age": {strconv.Itoa(prog.MinAge)},
		"max_age": {strconv.Itoa(prog.MaxAge)}, "rules": {prog.Rules}}
	if prog.Active {
		v.Set("active", "yes")
	}
	return h.programmeFormPage(w, r, http.StatusOK, prog.ID, NewForm(v))
}

// programmeSave stores a new programme (POST /programmes) or changes one
// (POST /programmes/{id}).
func (h *Web) programmeSave(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	f := NewForm(r.PostForm)
	id := r.PathValue("id")
	if id != "" {
		if _, err := h.programmes.Get(r.Context(), router.ActorFrom(r.Context()), id); err != nil {
			return err
		}
	}
	prog, err := h.programmes.Save(r.Context(), router.ActorFrom(r.Context()), id, service.ProgrammeInput{Name: f.Get("name"), Kind: f.Get("kind"),
		OwnerAgencyID: f.Get("owner"), MinAge: f.Get("min_age"), MaxAge: f.Get("max_age"), Rules: f.Get("rules"), Active: f.Get("active") == "yes"})
	if f.FailAll(err) {
		return h.programmeFormPage(w, r, http.StatusUnprocessableEntity, id, f)
	}
	if err != nil {
		return err
	}
	seeOther(w, r, "/programmes/"+prog.ID)
	return nil
}
