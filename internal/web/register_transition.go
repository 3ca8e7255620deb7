package web

import (
	"errors"
	"net/http"
	"net/url"
	"slices"

	"alliance/internal/domain"
	"alliance/internal/router"
	"alliance/internal/service"
	"alliance/internal/web/view"
)

type transitionData struct {
	OCG     domain.OCG
	To      domain.OCGStatus
	Label   string
	Form    *Form
	LRO     []Option
	SRO     []Option
	Reasons []Option
}

func (h *Web) transitionPage(w http.ResponseWriter, r *http.Request, status int, v service.GroupView, to domain.OCGStatus, f *Form) error {
	if !v.CanEdit || !slices.Contains(v.Next, to) {
		return domain.NotFound("step", string(to))
	}
	d := transitionData{OCG: v.OCG, To: to, Label: stepLabel(v.OCG.Status, to), Form: f}
	if to == domain.StatusAdopted {
		users, err := h.register.Users(r.Context(), router.ActorFrom(r.Context()))
		if err != nil {
			return err
		}
		d.LRO = selectOptions(userOptions(users, "Choose the lead responsible officer"), f.Get("lro"))
		d.SRO = selectOptions(userOptions(users, "Choose the senior responsible officer"), f.Get("sro"))
	}
	for _, reason := range domain.ArchiveReasons {
		d.Reasons = append(d.Reasons, Option{Value: string(reason), Label: reason.Label()})
	}
	p := h.newPage(r, d.Label+": "+v.OCG.Reference, "/ocgs")
	p.Breadcrumbs = []view.Crumb{{Label: "Home", Href: "/"}, {Label: "Groups", Href: "/ocgs"}, {Label: v.OCG.Reference, Href: "/ocgs/" + v.OCG.ID}}
	p.Errors = f.Summary()
	p.Data = d
	return h.render(w, r, status, "ocg_transition", p)
}

func (h *Web) ocgTransitionForm(w http.ResponseWriter, r *http.Request) error {
	v, handled, err := h.group(w, r)
	if handled || err != nil {
		return err
	}
	to, ok := domain.ParseOCGStatus(r.URL.Query().Get("to"))
	if !ok {
		return domain.NotFound("step", "")
	}
	o := v.OCG
	f := NewForm(url.Values{"to": {string(to)}, "lro": {o.LROUserID}, "sro": {o.SROUserID}, "review_due": {inputDay(o.ReviewDue)}})
	return h.transitionPage(w, r, http.StatusOK, v, to, f)
}

func (h *Web) ocgTransition(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	f := NewForm(r.PostForm)
	a := router.ActorFrom(r.Context())
	to, _ := domain.ParseOCGStatus(f.Get("to"))
	in := domain.TransitionInput{To: to, DecidedOn: f.Get("decided_on"), Decision: f.Get("decision"), Note: f.Get("note"),
		LROUserID: f.Get("lro"), SROUserID: f.Get("sro"), ReviewDue: f.Get("review_due"), ArchiveReason: f.Get("archive_reason"), Rationale: f.Get("rationale")}
	o, err := h.register.Transition(r.Context(), a, r.PathValue("id"), in)
	if errors.Is(err, domain.ErrConflict) {
		// A stale form, or another request moved the group first: its
		// page shows where it is now.
		seeOther(w, r, "/ocgs/"+url.PathEscape(r.PathValue("id")))
		return nil
	}
	if f.FailAll(err) {
		v, handled, gerr := h.group(w, r)
		if handled || gerr != nil {
			return gerr
		}
		if !slices.Contains(v.Next, to) {
			// A stale form: the group has moved on. Its page shows where it is.
			seeOther(w, r, "/ocgs/"+v.OCG.ID)
			return nil
		}
		return h.transitionPage(w, r, http.StatusUnprocessableEntity, v, to, f)
	}
	if err != nil {
		return err
	}
	seeOther(w, r, "/ocgs/"+o.ID)
	return nil
}
