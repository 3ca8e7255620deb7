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
	d := reportsData{ReportPage: res}
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
	p := h.newPage(r, rep.Reference+": "+rep.Title, "/reports")
	p.Breadcrumbs = []view.Crumb{{Label: "Home", Href: "/"}, {Label: "Information reports", Href: "/reports"}}
	p.Data = rep
	return h.render(w, r, http.StatusOK, "report", p)
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
