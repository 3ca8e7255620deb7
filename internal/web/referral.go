package web

import (
	"net/http"
	"net/url"
	"strconv"

	"alliance/internal/domain"
	"alliance/internal/router"
	"alliance/internal/service"
)

func (h *Web) referralList(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	page := 1
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100000 {
			return domain.NotFound("page", v)
		}
		page = n
	}
	status := q.Get("status")
	if status != "" && !domain.ReferralStatus(status).Known() {
		return domain.NotFound("status", status)
	}
	c, err := h.referrals.Caseload(r.Context(), router.ActorFrom(r.Context()), q.Get("programme"), status, page)
	if err != nil {
		return err
	}
	d := referralsData{Caseload: c}
	for _, s := range domain.ReferralStatuses {
		d.Statuses = append(d.Statuses, Option{Value: string(s), Label: s.Label()})
	}
	p := h.newPage(r, "Referrals", "/referrals")
	p.Data = d
	return h.render(w, r, http.StatusOK, "referrals", p)
}

type referralsData struct {
	service.Caseload
	Statuses []Option
}

type referralFormData struct {
	Form       *Form
	Programmes []Option
	Sources    []Option
}

func (h *Web) referralFormPage(w http.ResponseWriter, r *http.Request, status int, f *Form) error {
	a := router.ActorFrom(r.Context())
	if !h.referrals.MayRefer(a) {
		return domain.ErrForbidden
	}
	progs, err := h.programmes.List(r.Context(), a)
	if err != nil {
		return err
	}
	d := referralFormData{Form: f}
	for _, p := range progs {
		if p.Active {
			d.Programmes = append(d.Programmes, Option{Value: p.ID, Label: p.Name + " (ages " + strconv.Itoa(p.MinAge) + " to " + strconv.Itoa(p.MaxAge) + ")"})
		}
	}
	for _, s := range domain.ReferralSources {
		d.Sources = append(d.Sources, Option{Value: string(s.Code), Label: s.Label})
	}
	p := h.newPage(r, "Refer a young person", "/referrals")
	p.Errors = f.Summary()
	p.Data = d
	return h.render(w, r, status, "referral_new", p)
}

func (h *Web) referralNew(w http.ResponseWriter, r *http.Request) error {
	return h.referralFormPage(w, r, http.StatusOK, NewForm(url.Values{"programme": {r.URL.Query().Get("programme")}}))
}

func (h *Web) referralCreate(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	f := NewForm(r.PostForm)
	ref, err := h.referrals.Refer(r.Context(), router.ActorFrom(r.Context()), service.ReferralInput{ProgrammeID: f.Get("programme"),
		SubjectName: f.Get("subject_name"), SubjectDOB: f.Get("subject_dob"), Gender: f.Get("gender"), Source: f.Get("source"),
		IncidentRef: f.Get("incident_ref"), IncidentOn: f.Get("incident_on"), ReferredOn: f.Get("referred_on"), Offences: f.Values["offences"],
		OpenTo: f.Values["open_to"], InCustody: f.Get("in_custody"), ProvableCrime: f.Get("provable_crime"), Knives: f.Get("knives"),
		ConsentYoungOn: f.Get("consent_young_on"), ConsentParentOn: f.Get("consent_parent_on")})
	if f.FailAll(err) {
		return h.referralFormPage(w, r, http.StatusUnprocessableEntity, f)
	}
	if err != nil {
		return err
	}
	seeOther(w, r, "/referrals/"+ref.ID)
	return nil
}

type referralData struct {
	service.ReferralView
	Form     *Form
	Statuses []Option
}

func (h *Web) referralPage(w http.ResponseWriter, r *http.Request, status int, f *Form) error {
	v, err := h.referrals.View(r.Context(), router.ActorFrom(r.Context()), r.PathValue("id"))
	if err != nil {
		return err
	}
	d := referralData{ReferralView: v, Form: f}
	for _, s := range domain.ReferralStatuses {
		d.Statuses = append(d.Statuses, Option{Value: string(s), Label: s.Label()})
	}
	p := h.newPage(r, v.Reference, "/referrals")
	p.Errors = f.Summary()
	p.Data = d
	return h.render(w, r, status, "referral", p)
}

func (h *Web) referralShow(w http.ResponseWriter, r *http.Request) error {
	return h.referralPage(w, r, http.StatusOK, NewForm(nil))
}

func (h *Web) referralSession(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	f := NewForm(r.PostForm)
	err := h.referrals.AddSession(r.Context(), router.ActorFrom(r.Context()), r.PathValue("id"), f.Get("held_on"), f.Get("attended") == "yes", f.Get("note"))
	if f.FailAll(err) {
		return h.referralPage(w, r, http.StatusUnprocessableEntity, f)
	}
	if err != nil {
		return err
	}
	seeOther(w, r, "/referrals/"+r.PathValue("id"))
	return nil
}

func (h *Web) referralStatus(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	f := NewForm(r.PostForm)
	err := h.referrals.SetStatus(r.Context(), router.ActorFrom(r.Context()), r.PathValue("id"), f.Get("status"), f.Get("outcome"), f.Get("worker"))
	if f.FailAll(err) {
		return h.referralPage(w, r, http.StatusUnprocessableEntity, f)
	}
	if err != nil {
		return err
	}
	seeOther(w, r, "/referrals/"+r.PathValue("id"))
	return nil
}
