package api

import (
	"net/http"
	"time"

	"alliance/internal/router"
	"alliance/internal/service"
)

// cellJSON is one dashboard figure: value is null when suppressed; text is
// the figure as the dashboard writes it ("fewer than 5" for a small count,
// "hidden" for one hidden only to protect another, which is secondary and
// may be of any size).
type cellJSON struct {
	Value      *int64 `json:"value"`
	Suppressed bool   `json:"suppressed"`
	Secondary  bool   `json:"secondary"`
	Text       string `json:"text"`
}

// jsonCell writes c for the API, threshold being the dashboard's.
func jsonCell(c service.Cell, threshold int) cellJSON {
	if c.Suppressed {
		return cellJSON{Suppressed: true, Secondary: c.Secondary, Text: c.Text(threshold)}
	}
	n := c.N
	return cellJSON{Value: &n, Text: c.Text(threshold)}
}

type labelledJSON struct {
	Key   string   `json:"key"`
	Label string   `json:"label"`
	Count cellJSON `json:"count"`
}

func labelled(list []service.LabelledCell, threshold int) []labelledJSON {
	out := []labelledJSON{}
	for _, c := range list {
		out = append(out, labelledJSON{c.Key, c.Label, jsonCell(c.Cell, threshold)})
	}
	return out
}

type monthJSON struct {
	Month    string   `json:"month"`
	Count    cellJSON `json:"count"`
	LastYear cellJSON `json:"last_year"`
}

type unitJSON struct {
	Code  string   `json:"code"` // "" for disruptions not assigned to a lower area
	Name  string   `json:"name"`
	Count cellJSON `json:"count"`
	Rate  *float64 `json:"rate_per_1000"`
}

type seizureJSON struct {
	Agency     string   `json:"agency"`
	Type       string   `json:"type"`
	Count      cellJSON `json:"count"`
	ValuePence *int64   `json:"value_pence"`
}

type performanceJSON struct {
	FY                  string         `json:"fy"`
	Quarter             *string        `json:"quarter"`
	Period              periodJSON     `json:"period"`
	Unit                string         `json:"unit"`
	Threat              string         `json:"threat"`
	Agency              string         `json:"agency"`
	SuppressedBelow     *int           `json:"suppressed_below"`
	Disruptions         cellJSON       `json:"disruptions"`
	AdultsSafeguarded   cellJSON       `json:"adults_safeguarded"`
	ChildrenSafeguarded cellJSON       `json:"children_safeguarded"`
	OpenActivities      cellJSON       `json:"open_activities"`
	GunsSeized          cellJSON       `json:"guns_seized"`
	Warrants            cellJSON       `json:"warrants"`
	SentenceYears       *float64       `json:"sentence_years"`
	RatePer1000         *float64       `json:"rate_per_1000"`
	Residents           int64          `json:"residents"`
	ByFourP             []labelledJSON `json:"by_4p"`
	ByImpact            []labelledJSON `json:"by_impact"`
	ByThreat            []labelledJSON `json:"by_threat"`
	Outcomes            []labelledJSON `json:"outcomes"`
	ByMonth             []monthJSON    `json:"by_month"`
	ByUnit              []unitJSON     `json:"by_unit"`
	Seizures            []seizureJSON  `json:"seizures"`
	Marking             string         `json:"marking"`
}

// getPerformance answers GET /api/v1/performance?fy=2023/24 with the
// optional filters quarter (Q1 to Q4), unit (an ONS code), threat (a code)
// and agency (an ID or short name): the same figures as the dashboard,
// under the same policy and suppression.
func (a *API) getPerformance(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	p, err := a.perf.Compute(r.Context(), router.ActorFrom(r.Context()), service.PerformanceInput{FY: q.Get("fy"), Quarter: q.Get("quarter"),
		Unit: q.Get("unit"), Threat: q.Get("threat"), Agency: q.Get("agency")})
	if err != nil {
		return err
	}
	t := p.Threshold
	out := performanceJSON{FY: p.FY.String(), Period: periodJSON{p.Period.From.Format(time.DateOnly), p.Period.To.Format(time.DateOnly), p.PeriodLabel()},
		Unit: p.Unit.Code, Threat: p.Threat, Agency: p.AgencyName,
		Disruptions: jsonCell(p.Disruptions, t), AdultsSafeguarded: jsonCell(p.AdultsSafeguarded, t), ChildrenSafeguarded: jsonCell(p.ChildrenSafeguarded, t),
		OpenActivities: jsonCell(p.OpenActivities, t), GunsSeized: jsonCell(p.GunsSeized, t), Warrants: jsonCell(p.Warrants, t),
		RatePer1000: p.Rate, Residents: p.Residents, ByFourP: labelled(p.ByFourP, t), ByImpact: labelled(p.ByImpact, t), ByThreat: labelled(p.ByThreat, t),
		Outcomes: labelled(p.Outcomes, t), ByMonth: []monthJSON{}, ByUnit: []unitJSON{}, Seizures: []seizureJSON{}, Marking: string(service.PerformanceMarking)}
	if p.Quarter > 0 {
		s := p.PeriodLabel()[:2]
		out.Quarter = &s
	}
	if p.Suppressing {
		out.SuppressedBelow = &t
	}
	if !p.SentenceHidden {
		y := float64(p.SentenceMonths) / 12
		out.SentenceYears = &y
	}
	for _, m := range p.ByMonth {
		out.ByMonth = append(out.ByMonth, monthJSON{m.Label, jsonCell(m.This, t), jsonCell(m.LastYear, t)})
	}
	for _, u := range p.ByUnit {
		name := "Not assigned to a lower area"
		if u.Unit.ID != "" {
			name = u.Unit.Name
		}
		out.ByUnit = append(out.ByUnit, unitJSON{u.Unit.Code, name, jsonCell(u.Cell, t), u.Rate})
	}
	for _, s := range p.Seizures {
		j := seizureJSON{Agency: s.Agency, Type: s.Type, Count: jsonCell(s.Count, t)}
		if !s.ValueHidden {
			v := s.ValuePence
			j.ValuePence = &v
		}
		out.Seizures = append(out.Seizures, j)
	}
	w.Header().Set("X-Protective-Marking", string(service.PerformanceMarking))
	return writeJSON(w, http.StatusOK, out)
}
