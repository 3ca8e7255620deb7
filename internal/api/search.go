package api

import (
	"net/http"
	"strconv"

	"alliance/internal/domain"
	"alliance/internal/router"
	"alliance/internal/service"
)

type searchResultJSON struct {
	ID          string  `json:"id"`
	Kind        string  `json:"kind"`
	Reference   string  `json:"reference"`
	Name        string  `json:"name"`
	Matched     string  `json:"matched,omitempty"`
	MatchedAs   string  `json:"matched_as,omitempty"`
	DateOfBirth string  `json:"date_of_birth,omitempty"`
	Status      string  `json:"status,omitempty"`
	Restricted  bool    `json:"restricted"`
	Score       float64 `json:"score"`
	Href        string  `json:"href"`
	APIHref     string  `json:"api_href"`
}

// search is GET /api/v1/search?q=…&dob=…&kind=…&page=…: register records
// the caller may see, best match first.
func (a *API) search(w http.ResponseWriter, r *http.Request) error {
	if a.finder == nil {
		return domain.NotFound("resource", "search")
	}
	q := r.URL.Query()
	page := 1
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			verr := &domain.ValidationError{}
			verr.Add("page", "page must be a whole number from 1 to 1000")
			return verr
		}
		page = n
	}
	res, err := a.finder.Search(r.Context(), router.ActorFrom(r.Context()), service.SearchInput{Text: q.Get("q"), DOB: q.Get("dob"), Kinds: q["kind"]}, page)
	if err != nil {
		return err
	}
	items := make([]searchResultJSON, len(res.Items))
	for i, it := range res.Items {
		j := searchResultJSON{ID: it.ID, Kind: it.Kind, Reference: it.Reference, Name: it.Name, Matched: it.Matched, MatchedAs: it.MatchedAs,
			Status: string(it.Status), Restricted: it.Restricted, Score: float64(int(it.Score*1000)) / 1000, Href: it.Href()}
		if it.DOB != nil {
			j.DateOfBirth = it.DOB.Format("2006-01-02")
		}
		j.APIHref = "/api/v1" + it.Href()
		items[i] = j
	}
	w.Header().Set("X-Protective-Marking", string(domain.OfficialSensitive))
	return writeJSON(w, http.StatusOK, map[string]any{"items": items, "total": res.Total, "page": res.Page, "pages": res.Pages,
		"per_page": res.PerPage, "capped": res.Capped, "unindexed": res.Unindexed, "marking": domain.OfficialSensitive})
}
