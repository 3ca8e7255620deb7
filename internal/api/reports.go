package api

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"alliance/internal/domain"
	"alliance/internal/router"
	"alliance/internal/service"
)

type reportJSON struct {
	ID                 string    `json:"id"`
	Reference          string    `json:"reference"`
	Title              string    `json:"title"`
	Body               string    `json:"body"`
	GradingScheme      string    `json:"grading_scheme"` // "3x5x2", or "5x5x5" for a historic report kept as recorded
	SourceGrade        string    `json:"source_grade"`
	IntelGrade         string    `json:"intel_grade"`
	LegacyHandling     string    `json:"legacy_handling,omitempty"` // a 5x5x5 report's handling code, 1 to 5
	Handling           string    `json:"handling"`
	HandlingConditions string    `json:"handling_conditions,omitempty"`
	Classification     string    `json:"classification"`
	Restricted         bool      `json:"restricted"`
	OriginAgency       string    `json:"originating_agency"`
	CreatedAt          time.Time `json:"created_at"`
}

func toJSON(r domain.InfoReport) reportJSON {
	scheme := r.Scheme
	if scheme == "" {
		scheme = domain.Scheme3x5x2
	}
	return reportJSON{r.ID, r.Reference, r.Title, r.Body, scheme, r.SourceGrade, r.IntelGrade, r.LegacyHandling, string(r.Marking.Handling), r.HandlingConditions,
		string(r.Marking.Classification), r.Marking.Restricted, r.OriginAgencyName, r.CreatedAt}
}

// pageParams reads the page (from 1, default 1) and per_page (1 to 100,
// default 25) query parameters of a list, adding a problem to verr for a
// bad one.
func pageParams(q url.Values, verr *domain.ValidationError) (page, per int) {
	page, per = 1, 25
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			verr.Add("page", "page must be a whole number from 1")
		}
		page = n
	}
	if v := q.Get("per_page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			verr.Add("per_page", "per_page must be a whole number from 1 to 100")
		}
		per = n
	}
	return page, per
}

func (a *API) listReports(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	verr := &domain.ValidationError{}
	page, per := pageParams(q, verr)
	if err := verr.Err(); err != nil {
		return err
	}
	res, err := a.reports.List(r.Context(), router.ActorFrom(r.Context()), q.Get("q"), page, per)
	if err != nil {
		return err
	}
	items := make([]reportJSON, len(res.Items))
	for i, it := range res.Items {
		items[i] = toJSON(it)
	}
	// The response marking travels with the data.
	w.Header().Set("X-Protective-Marking", string(domain.OfficialSensitive))
	return writeJSON(w, http.StatusOK, map[string]any{"items": items, "total": res.Total, "more": res.More, "page": res.Page, "pages": res.Pages,
		"marking": domain.OfficialSensitive})
}

func (a *API) getReport(w http.ResponseWriter, r *http.Request) error {
	rep, err := a.reports.View(r.Context(), router.ActorFrom(r.Context()), r.PathValue("id"))
	if err != nil {
		return err
	}
	w.Header().Set("X-Protective-Marking", string(rep.Marking.Classification))
	return writeJSON(w, http.StatusOK, toJSON(rep))
}

type reportBody struct {
	Title              string   `json:"title"`
	Body               string   `json:"body"`
	SourceGrade        string   `json:"source_grade"`
	IntelGrade         string   `json:"intel_grade"`
	Classification     string   `json:"classification"`
	Handling           string   `json:"handling"`
	HandlingConditions string   `json:"handling_conditions"`
	ConditionAgencies  []string `json:"condition_agencies"`
	ConditionTypes     []string `json:"condition_types"`
	Restricted         bool     `json:"restricted"`
	NamedAgencies      []string `json:"named_agencies"`
	NamedUsers         []string `json:"named_users"`
}

func (a *API) createReport(w http.ResponseWriter, r *http.Request) error {
	var b reportBody
	if err := decodeBody(w, r, &b, "a report"); err != nil {
		return err
	}
	rep, err := a.reports.Create(r.Context(), router.ActorFrom(r.Context()), service.ReportInput{
		Title: b.Title, Body: b.Body, SourceGrade: b.SourceGrade, IntelGrade: b.IntelGrade, Classification: b.Classification,
		Handling: b.Handling, HandlingConditions: b.HandlingConditions, ConditionAgencies: b.ConditionAgencies, ConditionTypes: b.ConditionTypes,
		Restricted: b.Restricted, NamedAgencies: b.NamedAgencies, NamedUsers: b.NamedUsers,
	})
	if err != nil {
		return err
	}
	// Answer with what was stored; a write-only token cannot read it back,
	// and a retrying client must still learn it succeeded.
	rep.OriginAgencyName = router.ActorFrom(r.Context()).AgencyName
	w.Header().Set("Location", "/api/v1/reports/"+rep.ID)
	return writeJSON(w, http.StatusCreated, toJSON(rep))
}
