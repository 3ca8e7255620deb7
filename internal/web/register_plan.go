package web

import (
	"net/http"
	"net/url"
	"time"

	"alliance/internal/domain"
	"alliance/internal/router"
	"alliance/internal/service"
	"alliance/internal/web/view"
)

type planData struct {
	OCG       domain.OCG
	Plan      *domain.Plan
	Form      *Form
	Strands   []strandActions
	Overdue   bool
	Statuses  []Option
	HasPlan   bool
	ActionURL string
}

func (h *Web) planPage(w http.ResponseWriter, r *http.Request, status int, v service.GroupView, f *Form) error {
	if !v.CanPlan {
		return domain.ErrForbidden
	}
	d := planData{OCG: v.OCG, Plan: v.Plan, Form: f, HasPlan: v.Plan != nil,
		Statuses: []Option{{Value: string(domain.PlanDraft), Label: "Draft"}, {Value: string(domain.PlanActive), Label: "Active"},
			{Value: string(domain.PlanUnderReview), Label: "Under review"}}}
	if v.Plan != nil {
		d.Overdue = v.Plan.Overdue(domain.UKDay(time.Now()))
		for _, s := range domain.FourPs {
			sa := strandActions{Strand: s}
			for _, act := range v.Plan.Actions {
				if act.Strand == s {
					sa.Actions = append(sa.Actions, act)
				}
			}
			d.Strands = append(d.Strands, sa)
		}
	}
	p := h.newPage(r, "4P plan: "+v.OCG.Reference, "/ocgs")
	p.Breadcrumbs = []view.Crumb{{Label: "Home", Href: "/"}, {Label: "Groups", Href: "/ocgs"}, {Label: v.OCG.Reference, Href: "/ocgs/" + v.OCG.ID}}
	p.Errors = f.Summary()
	p.Data = d
	return h.render(w, r, status, "plan", p)
}

func (h *Web) planForm(w http.ResponseWriter, r *http.Request) error {
	v, handled, err := h.group(w, r)
	if handled || err != nil {
		return err
	}
	f := NewForm(url.Values{"status": {string(domain.PlanActive)}})
	if v.Plan != nil {
		f = NewForm(url.Values{"objectives": {v.Plan.Objectives}, "review_due": {inputDay(&v.Plan.ReviewDue)}, "status": {string(v.Plan.Status)}})
	} else if v.OCG.ReviewDue != nil {
		f.Values.Set("review_due", inputDay(v.OCG.ReviewDue))
	}
	return h.planPage(w, r, http.StatusOK, v, f)
}

func (h *Web) planSave(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	f := NewForm(r.PostForm)
	id := r.PathValue("id")
	_, err := h.register.SavePlan(r.Context(), router.ActorFrom(r.Context()), id,
		service.PlanInput{Objectives: f.Get("objectives"), ReviewDue: f.Get("review_due"), Status: f.Get("status")}, f.Get("new_version") == "yes")
	if f.FailAll(err) {
		v, handled, gerr := h.group(w, r)
		if handled || gerr != nil {
			return gerr
		}
		return h.planPage(w, r, http.StatusUnprocessableEntity, v, f)
	}
	if err != nil {
		return err
	}
	seeOther(w, r, "/ocgs/"+id+"/plan")
	return nil
}

type actionFormData struct {
	OCG      domain.OCG
	Action   *domain.PlanAction // nil when adding
	Form     *Form
	Strands  []Option
	Agencies []Option
	Statuses []Option
}

func (h *Web) actionPage(w http.ResponseWriter, r *http.Request, status int, v service.GroupView, act *domain.PlanAction, f *Form) error {
	if !v.CanPlan || v.Plan == nil {
		return domain.ErrForbidden
	}
	a := router.ActorFrom(r.Context())
	ags, err := h.admin.Agencies(r.Context(), a)
	if err != nil {
		return err
	}
	d := actionFormData{OCG: v.OCG, Action: act, Form: f,
		Agencies: selectOptions(append([]Option{{Value: "", Label: "Choose the agency"}}, agencyOptions(ags)...), f.Get("owner_agency"))}
	for _, s := range domain.FourPs {
		d.Strands = append(d.Strands, Option{Value: string(s), Label: s.Label()})
	}
	for _, s := range domain.ActionStatuses {
		d.Statuses = append(d.Statuses, Option{Value: string(s), Label: s.Label()})
	}
	title, page := "Add a 4P action: "+v.OCG.Reference, "plan_action_new"
	if act != nil {
		title, page = "Update a 4P action: "+v.OCG.Reference, "plan_action"
	}
	p := h.newPage(r, title, "/ocgs")
	p.Breadcrumbs = []view.Crumb{{Label: "Home", Href: "/"}, {Label: "Groups", Href: "/ocgs"}, {Label: v.OCG.Reference, Href: "/ocgs/" + v.OCG.ID},
		{Label: "4P plan", Href: "/ocgs/" + v.OCG.ID + "/plan"}}
	p.Errors = f.Summary()
	p.Data = d
	return h.render(w, r, status, page, p)
}

func (h *Web) planActionNew(w http.ResponseWriter, r *http.Request) error {
	v, handled, err := h.group(w, r)
	if handled || err != nil {
		return err
	}
	return h.actionPage(w, r, http.StatusOK, v, nil, NewForm(url.Values{"strand": {r.URL.Query().Get("strand")}, "status": {string(domain.ActionNotStarted)}}))
}

func (h *Web) planActionCreate(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	f := NewForm(r.PostForm)
	id := r.PathValue("id")
	_, err := h.register.AddAction(r.Context(), router.ActorFrom(r.Context()), id, service.ActionInput{Strand: f.Get("strand"),
		Description: f.Get("description"), OwnerAgencyID: f.Get("owner_agency"), OwnerName: f.Get("owner_name"), DueOn: f.Get("due_on"),
		Status: f.Get("status"), Outcome: f.Get("outcome")})
	if f.FailAll(err) {
		v, handled, gerr := h.group(w, r)
		if handled || gerr != nil {
			return gerr
		}
		return h.actionPage(w, r, http.StatusUnprocessableEntity, v, nil, f)
	}
	if err != nil {
		return err
	}
	seeOther(w, r, "/ocgs/"+id+"/plan")
	return nil
}

// planAction finds action id on the group's current plan.
func planAction(v service.GroupView, id string) (*domain.PlanAction, error) {
	if v.Plan != nil {
		for i := range v.Plan.Actions {
			if v.Plan.Actions[i].ID == id {
				return &v.Plan.Actions[i], nil
			}
		}
	}
	return nil, domain.NotFound("action", id)
}

func (h *Web) planActionForm(w http.ResponseWriter, r *http.Request) error {
	v, handled, err := h.group(w, r)
	if handled || err != nil {
		return err
	}
	act, err := planAction(v, r.PathValue("action"))
	if err != nil {
		return err
	}
	return h.actionPage(w, r, http.StatusOK, v, act, NewForm(url.Values{"status": {string(act.Status)}, "outcome": {act.Outcome}}))
}

func (h *Web) planActionUpdate(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	f := NewForm(r.PostForm)
	id := r.PathValue("id")
	err := h.register.UpdateAction(r.Context(), router.ActorFrom(r.Context()), id, r.PathValue("action"), f.Get("status"), f.Get("outcome"))
	if f.FailAll(err) {
		v, handled, gerr := h.group(w, r)
		if handled || gerr != nil {
			return gerr
		}
		act, aerr := planAction(v, r.PathValue("action"))
		if aerr != nil {
			return aerr
		}
		return h.actionPage(w, r, http.StatusUnprocessableEntity, v, act, f)
	}
	if err != nil {
		return err
	}
	seeOther(w, r, "/ocgs/"+id+"/plan")
	return nil
}
