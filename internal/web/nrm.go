package web

import (
	"net/http"
	"net/url"
	"time"

	"alliance/internal/domain"
	"alliance/internal/router"
	"alliance/internal/service"
)

type nrmListData struct {
	Items      []domain.NRMReferral
	Today      time.Time
	MayRecord  bool
	Coordinate bool
}

func (h *Web) nrmList(w http.ResponseWriter, r *http.Request) error {
	a := router.ActorFrom(r.Context())
	list, err := h.referrals.NRMList(r.Context(), a)
	if err != nil {
		return err
	}
	p := h.newPage(r, "NRM referrals and Duty to Notify", "/nrm")
	p.Data = nrmListData{Items: list, Today: time.Now().UTC(), MayRecord: h.referrals.MayRefer(a), Coordinate: a.Has(domain.RoleReferralCoordinator)}
	return h.render(w, r, http.StatusOK, "nrm_list", p)
}

type nrmFormData struct {
	Form  *Form
	Types []Option
}

func (h *Web) nrmFormPage(w http.ResponseWriter, r *http.Request, status int, f *Form) error {
	if !h.referrals.MayRefer(router.ActorFrom(r.Context())) {
		return domain.ErrForbidden
	}
	d := nrmFormData{Form: f}
	for _, t := range domain.ExploitationTypes {
		d.Types = append(d.Types, Option{Value: t.Code, Label: t.Label})
	}
	p := h.newPage(r, "Record an NRM referral", "/nrm")
	p.Errors = f.Summary()
	p.Data = d
	return h.render(w, r, status, "nrm_new", p)
}

func (h *Web) nrmNew(w http.ResponseWriter, r *http.Request) error {
	return h.nrmFormPage(w, r, http.StatusOK, NewForm(url.Values{"kind": {"nrm"}, "competent_authority": {"sca"}}))
}

func (h *Web) nrmCreate(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	f := NewForm(r.PostForm)
	n, err := h.referrals.RecordNRM(r.Context(), router.ActorFrom(r.Context()), service.NRMInput{Kind: f.Get("kind"), SubjectName: f.Get("subject_name"),
		AgeAtExploitation: f.Get("age_at_exploitation"), Gender: f.Get("gender"), Nationality: f.Get("nationality"), Types: f.Values["types"],
		CountyLines: f.Get("county_lines") == "yes", CompetentAuthority: f.Get("competent_authority"), ReferredOn: f.Get("referred_on")})
	if f.FailAll(err) {
		return h.nrmFormPage(w, r, http.StatusUnprocessableEntity, f)
	}
	if err != nil {
		return err
	}
	seeOther(w, r, "/nrm/"+n.ID)
	return nil
}

type nrmData struct {
	domain.NRMReferral
	Form      *Form
	Decisions []Option
	Overdue   bool
}

func (h *Web) nrmPage(w http.ResponseWriter, r *http.Request, status int, f *Form) error {
	n, err := h.referrals.NRMView(r.Context(), router.ActorFrom(r.Context()), r.PathValue("id"))
	if err != nil {
		return err
	}
	if f == nil {
		v := url.Values{"rg": {n.RGDecision}, "cg": {n.CGDecision}}
		if n.RGOn != nil {
			v.Set("rg_on", n.RGOn.Format("02/01/2006"))
		}
		if n.CGOn != nil {
			v.Set("cg_on", n.CGOn.Format("02/01/2006"))
		}
		if n.Reconsideration {
			v.Set("reconsideration", "yes")
		}
		f = NewForm(v)
	}
	d := nrmData{NRMReferral: n, Form: f, Overdue: n.RGOverdue(time.Now().UTC())}
	for _, x := range domain.NRMDecisions {
		d.Decisions = append(d.Decisions, Option{Value: x, Label: x})
	}
	p := h.newPage(r, n.Reference, "/nrm")
	p.Errors = f.Summary()
	p.Data = d
	return h.render(w, r, status, "nrm", p)
}

func (h *Web) nrmShow(w http.ResponseWriter, r *http.Request) error {
	return h.nrmPage(w, r, http.StatusOK, nil)
}

func (h *Web) nrmDecide(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	f := NewForm(r.PostForm)
	err := h.referrals.DecideNRM(r.Context(), router.ActorFrom(r.Context()), r.PathValue("id"), service.NRMDecision{RG: f.Get("rg"),
		RGOn: f.Get("rg_on"), CG: f.Get("cg"), CGOn: f.Get("cg_on"), Reconsideration: f.Get("reconsideration") == "yes"})
	if f.FailAll(err) {
		return h.nrmPage(w, r, http.StatusUnprocessableEntity, f)
	}
	if err != nil {
		return err
	}
	seeOther(w, r, "/nrm/"+r.PathValue("id"))
	return nil
}

type nrmSummaryData struct {
	service.NRMSummary
	Types    []Option
	Quarters []nrmQuarter
}

type nrmQuarter struct {
	Label     string
	N, Before int
}

func (h *Web) nrmSummary(w http.ResponseWriter, r *http.Request) error {
	fy := domain.FiscalYearOf(time.Now().UTC())
	if v := r.URL.Query().Get("fy"); v != "" {
		y, err := domain.ParseFiscalYear(v)
		if err != nil {
			return domain.NotFound("financial year", v)
		}
		fy = y
	}
	s, err := h.referrals.NRMSummary(r.Context(), router.ActorFrom(r.Context()), fy)
	if err != nil {
		return err
	}
	d := nrmSummaryData{NRMSummary: s}
	for i, label := range []string{"Q1 (April to June)", "Q2 (July to September)", "Q3 (October to December)", "Q4 (January to March)"} {
		d.Quarters = append(d.Quarters, nrmQuarter{Label: label, N: s.ByQuarter[i], Before: s.ByQuarterBefore[i]})
	}
	for _, t := range domain.ExploitationTypes {
		d.Types = append(d.Types, Option{Value: t.Code, Label: t.Label})
	}
	p := h.newPage(r, "NRM referrals "+fy.String(), "/nrm")
	p.Data = d
	return h.render(w, r, http.StatusOK, "nrm_summary", p)
}
