package api

import (
	"net/http"
	"strconv"
	"time"

	"alliance/internal/domain"
	"alliance/internal/router"
	"alliance/internal/service"
)

type submissionJSON struct {
	ID        string    `json:"id"`
	Reference string    `json:"reference"`
	Source    string    `json:"source"`
	What      string    `json:"what"`
	Where     string    `json:"where,omitempty"`
	When      string    `json:"when,omitempty"`
	Who       string    `json:"who,omitempty"`
	Contact   string    `json:"contact,omitempty"`
	Group     string    `json:"ocg_id,omitempty"`
	Area      string    `json:"area_id,omitempty"`
	Priority  string    `json:"priority"`
	Status    string    `json:"status"`
	Question  string    `json:"question,omitempty"`
	Answer    string    `json:"answer,omitempty"`
	Agency    string    `json:"originating_agency,omitempty"`
	Marking   string    `json:"classification"`
	CreatedAt time.Time `json:"created_at"`
	// Triage only: how long it has waited, and whether past its target.
	WaitedMinutes *int  `json:"waited_minutes,omitempty"`
	Overdue       *bool `json:"overdue,omitempty"`
}

func submissionToJSON(x domain.Submission) submissionJSON {
	return submissionJSON{ID: x.ID, Reference: x.Reference, Source: string(x.Source), What: x.What, Where: x.Where, When: x.When, Who: x.Who,
		Contact: x.Contact, Group: x.OCGID, Area: x.UnitID, Priority: string(x.Priority), Status: string(x.Status), Question: x.Question,
		Answer: x.Answer, Agency: x.AgencyName, Marking: string(x.Marking.Classification), CreatedAt: x.CreatedAt}
}

type submissionBody struct {
	What     string `json:"what"`
	Where    string `json:"where"`
	When     string `json:"when"`
	Who      string `json:"who"`
	OCGID    string `json:"ocg_id"`
	AreaID   string `json:"area_id"`
	Priority string `json:"priority"`
}

// createSubmission is a partner system's submission to the triage queue
// (a write-scoped token).
func (a *API) createSubmission(w http.ResponseWriter, r *http.Request) error {
	var b submissionBody
	if err := decodeBody(w, r, &b, "a submission"); err != nil {
		return err
	}
	x, err := a.submissions.Submit(r.Context(), router.ActorFrom(r.Context()), service.SubmissionInput{What: b.What, Where: b.Where, When: b.When,
		Who: b.Who, OCGID: b.OCGID, UnitID: b.AreaID, Priority: b.Priority})
	if err != nil {
		return err
	}
	x.AgencyName = router.ActorFrom(r.Context()).AgencyName
	return writeJSON(w, http.StatusCreated, submissionToJSON(x))
}

type triageJSON struct {
	Items   []submissionJSON `json:"items"`
	Total   int              `json:"total"`
	Overdue int              `json:"overdue_on_page"`
	Page    int              `json:"page"`
	Pages   int              `json:"pages"`
}

// getTriage is the triage queue for analysts: the most urgent first, then
// the longest waiting; ?page= pages it.
func (a *API) getTriage(w http.ResponseWriter, r *http.Request) error {
	page := 1
	if v := r.URL.Query().Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			verr := &domain.ValidationError{}
			verr.Add("page", "page must be a whole number from 1")
			return verr
		}
		page = n
	}
	tp, err := a.submissions.Triage(r.Context(), router.ActorFrom(r.Context()), page)
	if err != nil {
		return err
	}
	out := triageJSON{Items: []submissionJSON{}, Total: tp.Total, Overdue: tp.Overdue, Page: tp.Page, Pages: tp.Pages}
	for _, it := range tp.Items {
		j := submissionToJSON(it.Submission)
		m, o := int(it.Waited.Minutes()), it.Overdue
		j.WaitedMinutes, j.Overdue = &m, &o
		out.Items = append(out.Items, j)
	}
	return writeJSON(w, http.StatusOK, out)
}
