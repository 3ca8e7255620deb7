package web

import (
	"bytes"
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"alliance/internal/authz"
	"alliance/internal/domain"
	"alliance/internal/router"
	"alliance/internal/service"
	"alliance/internal/web/view"
)

type reportsData struct {
	service.ReportPage
	Prev, Next string
	ExportURL  string
	// CanImport: analysts who may write reports may import historic ones.
	CanImport bool
}

func pageURL(q string, page int) string {
	v := url.Values{}
	if q != "" {
		v.Set("q", q)
	}
	if page > 1 {
		v.Set("page", strconv.Itoa(page))
	}
	if len(v) == 0 {
		return "/reports"
	}
	return "/reports?" + v.Encode()
}

func (h *Web) reportList(w http.ResponseWriter, r *http.Request) error {
	a := router.ActorFrom(r.Context())
	q := r.URL.Query().Get("q")
	page := 1
	if v := r.URL.Query().Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100000 {
			return domain.NotFound("page", v)
		}
		page = n
	}
	if len(q) > 200 {
		q = q[:200]
	}
	res, err := h.reports.List(r.Context(), a, q, page, 25)
	if err != nil {
		return err
	}
	d := reportsData{ReportPage: res, CanImport: res.CanCreate && a.Has(domain.RoleAnalyst)}
	if res.Page > 1 {
		d.Prev = pageURL(res.Query, res.Page-1)
	}
	if res.Page < res.Pages {
		d.Next = pageURL(res.Query, res.Page+1)
	}
	d.ExportURL = "/reports/export"
	if res.Query != "" {
		d.ExportURL += "?q=" + url.QueryEscape(res.Query)
	}
	p := h.newPage(r, "Information reports", "/reports")
	p.Data = d
	return h.render(w, r, http.StatusOK, "reports", p)
}

type purposeData struct {
	Need     *service.PurposeNeeded
	Form     *Form
	Purposes []Option
}

func (h *Web) purposePage(w http.ResponseWriter, r *http.Request, status int, need *service.PurposeNeeded, f *Form) error {
	ps, err := h.reports.Purposes(r.Context())
	if err != nil {
		return err
	}
	opts := make([]Option, len(ps))
	for i, p := range ps {
		opts[i] = Option{Value: p.Code, Label: p.Name}
	}
	p := h.newPage(r, "Why are you opening this record?", "/reports")
	p.Errors = f.Summary()
	p.Data = purposeData{Need: need, Form: f, Purposes: opts}
	return h.render(w, r, status, "purpose", p)
}

func (h *Web) reportShow(w http.ResponseWriter, r *http.Request) error {
	rep, err := h.reports.View(r.Context(), router.ActorFrom(r.Context()), r.PathValue("id"))
	var need *service.PurposeNeeded
	if errors.As(err, &need) {
		return h.purposePage(w, r, http.StatusOK, need, NewForm(nil))
	}
	if err != nil {
		return err
	}
	return h.reportPage(w, r, http.StatusOK, rep, NewForm(nil))
}

// reportData is a report's page: the report, its sanitised versions and
// where a version went, and the forms to write and disseminate one for
// those who may.
type reportData struct {
	domain.InfoReport
	Form           *Form
	MaySanitise    bool
	Versions       []domain.InfoReport
	Disseminations []service.Dissemination
	Linked         []service.LinkedRecord
	MayLink        bool
	MayDisseminate bool
	Agencies       []Option
	Types          []Option
	ISAs           []Option
}

func (h *Web) reportPage(w http.ResponseWriter, r *http.Request, status int, rep domain.InfoReport, f *Form) error {
	a := router.ActorFrom(r.Context())
	d := reportData{InfoReport: rep, Form: f}
	var err error
	if h.reports.MaySanitise(r.Context(), a) {
		if rep.SanitisedFrom == "" {
			d.MaySanitise = rep.Marking.OriginLawEnforcement
			if d.Versions, err = h.reports.Sanitised(r.Context(), a, rep.ID); err != nil {
				return err
			}
		} else if rep.Marking.OriginAgencyID == a.AgencyID {
			d.MayDisseminate = true
			ags, err := h.svc.Agencies(r.Context(), domain.Partnership{ID: a.PartnershipID})
			if err != nil {
				return err
			}
			for _, ag := range ags {
				if !ag.Type.LawEnforcement() {
					d.Agencies = append(d.Agencies, Option{Value: ag.ID, Label: ag.Name, Checked: f.Has("agencies", ag.ID)})
				}
			}
			types, err := h.svc.AgencyTypes(r.Context())
			if err != nil {
				return err
			}
			for _, t := range types {
				if !t.Code.LawEnforcement() {
					d.Types = append(d.Types, Option{Value: string(t.Code), Label: t.Name, Checked: f.Has("types", string(t.Code))})
				}
			}
			isas, err := h.sharing.UsableBy(r.Context(), a)
			if err != nil {
				return err
			}
			d.ISAs = []Option{{Value: "", Label: "Choose the agreement"}}
			for _, i := range isas {
				d.ISAs = append(d.ISAs, Option{Value: i.ID, Label: i.Reference + ": " + i.Title, Checked: f.Get("isa") == i.ID})
			}
		}
	}
	if d.Disseminations, err = h.reports.Disseminations(r.Context(), a, rep); err != nil {
		return err
	}
	if d.Linked, err = h.reports.Linked(r.Context(), a, rep); err != nil {
		return err
	}
	d.MayLink = h.reports.MayLink(r.Context(), a, rep)
	p := h.newPage(r, rep.Reference+": "+rep.Title, "/reports")
	p.Breadcrumbs = []view.Crumb{{Label: "Home", Href: "/"}, {Label: "Information reports", Href: "/reports"}}
	p.Errors = f.Summary()
	p.Data = d
	return h.render(w, r, status, "report", p)
}

// reportSanitise writes a sanitised version of a police original.
func (h *Web) reportSanitise(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	f := NewForm(r.PostForm)
	a := router.ActorFrom(r.Context())
	v, err := h.reports.Sanitise(r.Context(), a, r.PathValue("id"), service.SanitiseInput{Title: f.Get("title"), Body: f.Get("body")})
	if f.FailAll(err) {
		rep, verr := h.reports.View(r.Context(), a, r.PathValue("id"))
		if verr != nil {
			return verr
		}
		return h.reportPage(w, r, http.StatusUnprocessableEntity, rep, f)
	}
	if err != nil {
		return err
	}
	seeOther(w, r, "/reports/"+v.ID)
	return nil
}

// reportLink links a report to the group or entity whose reference (or
// ID) the form gives, one the user may see.
func (h *Web) reportLink(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	f := NewForm(r.PostForm)
	a := router.ActorFrom(r.Context())
	ref, err := h.register.Resolve(r.Context(), a, f.Get("link"))
	switch {
	case errors.Is(err, domain.ErrNotFound):
		f.Fail("link", "No group or person you may see has that reference")
	case err != nil:
		return err
	default:
		if err := h.reports.Link(r.Context(), a, r.PathValue("id"), ref.Kind, ref.ID); !f.FailAll(err) && err != nil {
			return err
		}
	}
	if !f.OK() {
		rep, verr := h.reports.View(r.Context(), a, r.PathValue("id"))
		if verr != nil {
			return verr
		}
		return h.reportPage(w, r, http.StatusUnprocessableEntity, rep, f)
	}
	seeOther(w, r, "/reports/"+r.PathValue("id"))
	return nil
}

// reportDisseminate sends a sanitised version to partners.
func (h *Web) reportDisseminate(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	f := NewForm(r.PostForm)
	a := router.ActorFrom(r.Context())
	err := h.reports.Disseminate(r.Context(), a, r.PathValue("id"), service.DisseminateInput{Agencies: f.Values["agencies"], Types: f.Values["types"],
		ISAID: f.Get("isa"), Purpose: f.Get("purpose")})
	if f.FailAll(err) {
		rep, verr := h.reports.View(r.Context(), a, r.PathValue("id"))
		if verr != nil {
			return verr
		}
		return h.reportPage(w, r, http.StatusUnprocessableEntity, rep, f)
	}
	if err != nil {
		return err
	}
	seeOther(w, r, "/reports/"+r.PathValue("id"))
	return nil
}

type reportFormData struct {
	Form     *Form
	Agencies []domain.Agency
	Types    []domain.AgencyTypeInfo
}

func (h *Web) reportFormPage(w http.ResponseWriter, r *http.Request, status int, f *Form) error {
	a := router.ActorFrom(r.Context())
	if !h.reports.Allowed(r.Context(), a, authz.Create) {
		return domain.ErrForbidden
	}
	ags, err := h.admin.Agencies(r.Context(), a)
	if err != nil {
		return err
	}
	types, err := h.svc.AgencyTypes(r.Context())
	if err != nil {
		return err
	}
	p := h.newPage(r, "Submit information", "/reports")
	p.Errors = f.Summary()
	p.Data = reportFormData{Form: f, Agencies: ags, Types: types}
	return h.render(w, r, status, "report_new", p)
}

func (h *Web) reportNew(w http.ResponseWriter, r *http.Request) error {
	return h.reportFormPage(w, r, http.StatusOK, NewForm(url.Values{"classification": {"OFFICIAL-SENSITIVE"}, "handling": {"P"}}))
}

func (h *Web) reportCreate(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	f := NewForm(r.PostForm)
	in := service.ReportInput{
		Title: f.Get("title"), Body: f.Get("body"), SourceGrade: f.Get("source_grade"), IntelGrade: f.Get("intel_grade"),
		Classification: f.Get("classification"), Handling: f.Get("handling"), HandlingConditions: f.Get("handling_conditions"),
		ConditionAgencies: f.Values["condition_agencies"], ConditionTypes: f.Values["condition_types"],
		Restricted: f.Get("restricted") == "yes", NamedAgencies: f.Values["named_agencies"], NamedUsers: splitLines(f.Get("named_users")),
	}
	rep, err := h.reports.Create(r.Context(), router.ActorFrom(r.Context()), in)
	if f.FailAll(err) {
		return h.reportFormPage(w, r, http.StatusUnprocessableEntity, f)
	}
	if err != nil {
		return err
	}
	seeOther(w, r, "/reports/"+rep.ID)
	return nil
}

func splitLines(s string) []string {
	var out []string
	for _, l := range bytes.FieldsFunc([]byte(s), func(r rune) bool { return r == '\n' || r == ',' || r == ';' || r == ' ' || r == '\r' }) {
		out = append(out, string(l))
	}
	return out
}

func (h *Web) reportPurpose(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	f := NewForm(r.PostForm)
	id := r.PathValue("id")
	a := router.ActorFrom(r.Context())
	err := h.reports.GivePurpose(r.Context(), a, id, f.Get("purpose"), f.Get("detail"))
	if f.FailAll(err) {
		// Show the prompt again; the record's reference comes from a fresh
		// check that the user may see it.
		_, verr := h.reports.View(r.Context(), a, id)
		var need *service.PurposeNeeded
		if errors.As(verr, &need) {
			return h.purposePage(w, r, http.StatusUnprocessableEntity, need, f)
		}
		return verr
	}
	if err != nil {
		return err
	}
	seeOther(w, r, "/reports/"+id)
	return nil
}

type exportData struct {
	Query      string
	Disclosure disclosureForm
}
