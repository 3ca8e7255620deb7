package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/google/uuid"

	"alliance/internal/domain"
	"alliance/internal/router"
)

type referralJSON struct {
	ID          string  `json:"id"`
	Reference   string  `json:"reference"`
	Programme   string  `json:"programme"`
	ProgrammeID string  `json:"programme_id"`
	Subject     string  `json:"subject_name"`
	DOB         string  `json:"subject_dob"`
	Age         int     `json:"age_at_referral"`
	Source      string  `json:"source"`
	ReferredOn  string  `json:"referred_on"`
	Status      string  `json:"status"`
	Outcome     string  `json:"outcome,omitempty"`
	Route       string  `json:"route,omitempty"`
	Worker      *string `json:"worker,omitempty"`
}

// getReferrals is a coordinator's caseload: the query parameters
// programme (an id), status and page filter and page it. The firewall is
// the service's.
func (a *API) getReferrals(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	verr := &domain.ValidationError{}
	page := 1
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			verr.Add("page", "page must be a whole number from 1")
		}
		page = n
	}
	if v := q.Get("programme"); v != "" {
		if _, err := uuid.Parse(v); err != nil {
			verr.Add("programme", "programme must be a programme's id")
		}
	}
	status := q.Get("status")
	if status != "" && !domain.ReferralStatus(status).Known() {
		verr.Add("status", "status must be one of received, accepted, allocated, engaged, declined, completed, closed")
	}
	if err := verr.Err(); err != nil {
		return err
	}
	c, err := a.referrals.Caseload(r.Context(), router.ActorFrom(r.Context()), q.Get("programme"), status, page)
	if err != nil {
		return err
	}
	items := make([]referralJSON, 0, len(c.Items))
	for _, x := range c.Items {
		j := referralJSON{ID: x.ID, Reference: x.Reference, Programme: x.ProgrammeName, ProgrammeID: x.ProgrammeID, Subject: x.SubjectName,
			DOB: x.SubjectDOB.Format("2006-01-02"), Age: x.AgeAtReferral, Source: string(x.Source), ReferredOn: x.ReferredOn.Format("2006-01-02"),
			Status: string(x.Status), Outcome: string(x.Outcome), Route: x.Route}
		if x.WorkerName != "" {
			j.Worker = &x.WorkerName
		}
		items = append(items, j)
	}
	return writeJSON(w, http.StatusOK, map[string]any{"items": items, "total": c.Total, "page": c.Page, "pages": c.Pages})
}

// fyParam reads the query parameter fy (a financial year like 2023/24),
// the current year when it is absent.
func fyParam(r *http.Request) (domain.FiscalYear, error) {
	v := r.URL.Query().Get("fy")
	if v == "" {
		return domain.FiscalYearOf(time.Now().UTC()), nil
	}
	y, err := domain.ParseFiscalYear(v)
	if err != nil {
		verr := &domain.ValidationError{}
		verr.Add("fy", "fy must be a financial year like 2023/24")
		return 0, verr
	}
	return y, nil
}

// getProgrammeSummary is a programme's year for coordinators: fy=2023/24
// (default the current year).
func (a *API) getProgrammeSummary(w http.ResponseWriter, r *http.Request) error {
	fy, err := fyParam(r)
	if err != nil {
		return err
	}
	s, err := a.referrals.Summary(r.Context(), router.ActorFrom(r.Context()), r.PathValue("id"), fy)
	if err != nil {
		return err
	}
	byStatus, byOutcome := map[string]int{}, map[string]int{}
	for k, v := range s.ByStatus {
		byStatus[string(k)] = v
	}
	for k, v := range s.ByOutcome {
		byOutcome[string(k)] = v
	}
	return writeJSON(w, http.StatusOK, map[string]any{"programme": s.Programme.Name, "programme_id": s.Programme.ID, "fy": s.Year.String(),
		"referrals": s.Referrals, "engaged": s.Engaged, "engaged_percent": s.EngagedPct, "completed": s.Completed, "still_open": s.StillOpen,
		"by_status": byStatus, "by_outcome": byOutcome})
}

// getNRMSummary is the year's NRM referrals counted, for coordinators:
// fy=2023/24 (default the current year).
func (a *API) getNRMSummary(w http.ResponseWriter, r *http.Request) error {
	fy, err := fyParam(r)
	if err != nil {
		return err
	}
	s, err := a.referrals.NRMSummary(r.Context(), router.ActorFrom(r.Context()), fy)
	if err != nil {
		return err
	}
	quarters := func(q [4]int) map[string]int { return map[string]int{"Q1": q[0], "Q2": q[1], "Q3": q[2], "Q4": q[3]} }
	var change *int
	if s.ChangeKnown {
		change = &s.ChangePercent
	}
	ages := map[string]int{"child": s.ByAge["child"], "adult": s.ByAge["adult"], "unknown": s.ByAge["unknown"]}
	return writeJSON(w, http.StatusOK, map[string]any{"fy": s.Year.String(), "total": s.Total, "by_age_at_exploitation": ages,
		"by_exploitation_type": s.ByType, "by_quarter": quarters(s.ByQuarter), "county_lines": s.CountyLines,
		"under_18_percent": s.Under18Percent, "most_common_type": s.MostCommonType, "change_percent": change, "rg_overdue": s.RGOverdue,
		"previous_year": map[string]any{"fy": s.Before.String(), "total": s.TotalBefore, "by_quarter": quarters(s.ByQuarterBefore)}})
}
