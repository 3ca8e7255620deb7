package api

import (
	"net/http"
	"time"

	"alliance/internal/domain"
	"alliance/internal/router"
	"alliance/internal/service"
)

type pictureCountJSON struct {
	Code  string `json:"code"`
	Name  string `json:"name"`
	Count int    `json:"count"`
}

type pictureFigureJSON struct {
	Total    int                `json:"total"`
	Summary  string             `json:"summary"`
	ByGroup  []pictureCountJSON `json:"by_group"`
	ByThreat []pictureCountJSON `json:"by_threat"`
}

func figureJSON(f service.PictureFigure, summary string) pictureFigureJSON {
	out := pictureFigureJSON{Total: f.Total, Summary: summary, ByGroup: []pictureCountJSON{}, ByThreat: []pictureCountJSON{}}
	for _, c := range f.ByGroup {
		out.ByGroup = append(out.ByGroup, pictureCountJSON{c.Code, c.Name, c.Count})
	}
	for _, c := range f.ByThreat {
		out.ByThreat = append(out.ByThreat, pictureCountJSON{c.Code, c.Name, c.Count})
	}
	return out
}

type pictureGroupJSON struct {
	ID            string   `json:"id"`
	Reference     string   `json:"reference"`
	Name          string   `json:"name"`
	OperationName string   `json:"operation_name,omitempty"`
	Status        string   `json:"status"`
	PrimaryThreat string   `json:"primary_threat"`
	Score         *float64 `json:"score"`
	Band          string   `json:"band,omitempty"`
	Priority      string   `json:"priority,omitempty"`
	LRO           string   `json:"lro,omitempty"`
	ReviewDue     string   `json:"review_due,omitempty"`
	Restricted    bool     `json:"restricted"`
}

func pictureGroup(o domain.OCG) pictureGroupJSON {
	g := pictureGroupJSON{ID: o.ID, Reference: o.Reference, Name: o.Name, OperationName: o.OperationName, Status: string(o.Status),
		PrimaryThreat: o.PrimaryThreat, Score: o.Score, Band: o.Band, Priority: o.Priority, LRO: o.LROName, Restricted: o.Marking.Restricted}
	if o.ReviewDue != nil {
		g.ReviewDue = o.ReviewDue.Format(time.DateOnly)
	}
	return g
}

type reasonJSON struct {
	Code  string `json:"code"`
	Label string `json:"label"`
}

type attentionJSON struct {
	pictureGroupJSON
	Reasons       []reasonJSON `json:"reasons"`
	PlanReviewDue string       `json:"plan_review_due,omitempty"`
}

type periodJSON struct {
	From  string `json:"from"`
	To    string `json:"to"`
	Label string `json:"label"`
}

type pictureJSON struct {
	FY             *string            `json:"fy"`
	AsAt           string             `json:"as_at"`
	Period         periodJSON         `json:"period"`
	Years          []string           `json:"years"`
	Mapped         pictureFigureJSON  `json:"mapped"`
	Dismantled     pictureFigureJSON  `json:"dismantled"`
	Today          string             `json:"today"`
	Ranked         []pictureGroupJSON `json:"ranked"`
	NeedsAttention []attentionJSON    `json:"needs_attention"`
	Marking        string             `json:"marking"`
}

// getPicture answers GET /api/v1/ocg-picture[?fy=2023/24]: the OCG picture
// the token's user may see.
func (a *API) getPicture(w http.ResponseWriter, r *http.Request) error {
	pic, err := a.pictures.Picture(r.Context(), router.ActorFrom(r.Context()), r.URL.Query().Get("fy"))
	if err != nil {
		return err
	}
	out := pictureJSON{AsAt: pic.AsAt.Format(time.DateOnly), Today: pic.Today.Format(time.DateOnly),
		Period: periodJSON{pic.Period.From.Format(time.DateOnly), pic.Period.To.Format(time.DateOnly), pic.Period.Label},
		Years:  []string{},
		Mapped: figureJSON(pic.Mapped, pic.Mapped.Summary()), Dismantled: figureJSON(pic.Dismantled, pic.Dismantled.ThreatSummary()),
		Ranked: []pictureGroupJSON{}, NeedsAttention: []attentionJSON{},
		Marking: string(domain.OfficialSensitive)}
	if pic.Year != nil {
		fy := pic.Year.String()
		out.FY = &fy
	}
	for _, y := range pic.Years {
		out.Years = append(out.Years, y.String())
	}
	for _, o := range pic.Ranked {
		out.Ranked = append(out.Ranked, pictureGroup(o))
	}
	for _, x := range pic.NeedsAttention {
		j := attentionJSON{pictureGroupJSON: pictureGroup(x.OCG), Reasons: []reasonJSON{}}
		for _, why := range x.Reasons {
			j.Reasons = append(j.Reasons, reasonJSON{string(why), why.Label()})
		}
		if x.PlanReviewDue != nil {
			j.PlanReviewDue = x.PlanReviewDue.Format(time.DateOnly)
		}
		out.NeedsAttention = append(out.NeedsAttention, j)
	}
	// The lists name groups: the response marking travels with the data.
	w.Header().Set("X-Protective-Marking", string(domain.OfficialSensitive))
	return writeJSON(w, http.StatusOK, out)
}
