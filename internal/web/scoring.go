package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"alliance/internal/domain"
	"alliance/internal/router"
	"alliance/internal/service"
	"alliance/internal/web/view"
)

// Scoring pages: score a group with the current OCGM-style or MoRiLE-style
// model, read a group's scoring history, and (administrators) keep the
// models' versions. The service decides who may do what to which group.

// scoringSection is a run of questions under one heading of the form.
type scoringSection struct {
	Heading string
	Fields  []Field
}

type assessData struct {
	View       service.AssessView
	Form       *Form
	Notice     string
	Sections   []scoringSection
	Methods    []Option // links to the form for each method
	Confidence Field
	Rationale  Field
	On         Field
	Opp        *Field // MoRiLE-style only
}

func points(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// scoringNotice is the caveat a model carries, if any.
func scoringNotice(d domain.ScoringDefinition) string {
	switch x := d.(type) {
	case *domain.OCGMDefinition:
		return x.Notice
	case *domain.MoRiLEDefinition:
		return x.Notice
	}
	return ""
}

func (h *Web) assessPage(w http.ResponseWriter, r *http.Request, status int, v service.AssessView, f *Form) error {
	d := assessData{View: v, Form: f, Notice: scoringNotice(v.Model.Def)}
	for _, m := range domain.ScoringMethods {
		d.Methods = append(d.Methods, Option{Value: "/ocgs/" + v.OCG.ID + "/assess?method=" + string(m), Label: m.Label(), Checked: m == v.Method})
	}
	for _, mf := range v.Model.Def.Fields() {
		x := field(f, mf.Code, mf.Name, "radio")
		x.Small = true
		x.Hint = mf.Description
		if mf.Weight != 0 {
			x.Hint = strings.TrimSpace(x.Hint + " (weight ×" + points(mf.Weight) + ")")
		}
		for _, o := range mf.Options {
			x.Options = append(x.Options, Option{Value: o.Code, Label: o.Label + " (" + points(o.Points) + ")"})
		}
		if n := len(d.Sections); n == 0 || d.Sections[n-1].Heading != mf.Section {
			d.Sections = append(d.Sections, scoringSection{Heading: mf.Section})
		}
		d.Sections[len(d.Sections)-1].Fields = append(d.Sections[len(d.Sections)-1].Fields, x)
	}
	d.Confidence = field(f, "confidence", "Confidence", "radio")
	d.Confidence.Hint = "How sure you are of the information behind the scoring. It is recorded beside the score and never changes it."
	d.Confidence.Options = []Option{{Value: "1", Label: domain.ConfidenceLabel(1)}, {Value: "2", Label: domain.ConfidenceLabel(2)}, {Value: "3", Label: domain.ConfidenceLabel(3)}}
	d.Rationale = field(f, "rationale", "Rationale", "text")
	d.Rationale.Hint = "What the choices rest on: intelligence references, events, partners' information"
	d.On = field(f, "assessed_on", "Date of the assessment", "text")
	d.On.Hint, d.On.Width, d.On.Inputmode = "For example, 22/11/2026. Leave blank for today.", "govuk-input--width-10", "numeric"
	if v.Method == domain.MethodMoRiLE {
		o := field(f, "opportunity", "Opportunity", "text")
		o.Hint = "Opportunities to reduce the risk: tactics, partners, powers"
		d.Opp = &o
	}
	title := "Score " + v.OCG.Title()
	p := h.newPage(r, title, "/ocgs")
	p.Breadcrumbs = []view.Crumb{{Label: "Home", Href: "/"}, {Label: v.OCG.Reference, Href: "/ocgs/" + v.OCG.ID}}
	p.Errors = f.Summary()
	p.Data = d
	return h.render(w, r, status, "assess", p)
}

// assessView fetches what the form needs; a reader who owes a purpose is
// sent to the group's page, which asks for it.
func (h *Web) assessView(w http.ResponseWriter, r *http.Request, method string) (service.AssessView, bool, error) {
	if h.scoring == nil {
		return service.AssessView{}, false, errNotFound
	}
	id := r.PathValue("id")
	v, err := h.scoring.AssessForm(r.Context(), router.ActorFrom(r.Context()), id, method)
	var need *service.PurposeNeeded
	if errors.As(err, &need) {
		seeOther(w, r, "/ocgs/"+need.ID)
		return v, false, nil
	}
	return v, err == nil, err
}

func (h *Web) assessForm(w http.ResponseWriter, r *http.Request) error {
	v, ok, err := h.assessView(w, r, r.URL.Query().Get("method"))
	if !ok {
		return err
	}
	return h.assessPage(w, r, http.StatusOK, v, NewForm(url.Values{"method": {string(v.Method)}}))
}

func (h *Web) assess(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	f := NewForm(r.PostForm)
	v, ok, err := h.assessView(w, r, f.Get("method"))
	if !ok {
		return err
	}
	in := service.AssessmentInput{Method: string(v.Method), Values: map[string]string{}, Confidence: f.Get("confidence"),
		Rationale: f.Get("rationale"), AssessedOn: f.Get("assessed_on"), Opportunity: f.Get("opportunity")}
	for _, mf := range v.Model.Def.Fields() {
		if val := f.Get(mf.Code); val != "" {
			in.Values[mf.Code] = val
		}
	}
	_, err = h.scoring.Assess(r.Context(), router.ActorFrom(r.Context()), v.OCG.ID, in)
	switch {
	case errors.Is(err, service.ErrGroupArchived):
		f.Fail("method", "This group is archived and cannot be scored: reopen it first")
		return h.assessPage(w, r, http.StatusConflict, v, f)
	case f.FailAll(err):
		return h.assessPage(w, r, http.StatusUnprocessableEntity, v, f)
	case err != nil:
		return err
	}
	seeOther(w, r, "/ocgs/"+v.OCG.ID)
	return nil
}

// assessmentRow is one assessment as the history table shows it.
type assessmentRow struct {
	A          domain.Assessment
	Method     string
	Score      string
	Grade      string // band and priority, or priority
	Confidence string
	Parts      []string
	Extra      string // harm, likelihood and risk for MoRiLE-style
}

type assessmentsData struct {
	View service.AssessmentsView
	Rows []assessmentRow
}

func (h *Web) assessments(w http.ResponseWriter, r *http.Request) error {
	if h.scoring == nil {
		return errNotFound
	}
	v, err := h.scoring.Assessments(r.Context(), router.ActorFrom(r.Context()), r.PathValue("id"))
	var need *service.PurposeNeeded
	if errors.As(err, &need) {
		seeOther(w, r, "/ocgs/"+need.ID)
		return nil
	}
	if err != nil {
		return err
	}
	d := assessmentsData{View: v}
	for _, a := range v.Assessments {
		row := assessmentRow{A: a, Method: fmt.Sprintf("%s, model version %d", a.Method.Label(), a.ModelVersion),
			Score: points(a.Score) + " of " + points(a.Result.Max), Confidence: domain.ConfidenceLabel(a.Confidence)}
		switch {
		case a.Band != "" && a.Priority != "":
			row.Grade = a.Band + ", " + a.Priority
		default:
			row.Grade = a.Band + a.Priority
		}
		if a.Method == domain.MethodMoRiLE {
			row.Extra = fmt.Sprintf("Total harm %s, likelihood %s, risk %s", points(a.Result.TotalHarm), points(a.Result.Likelihood), points(a.Result.Score))
		}
		for _, pt := range a.Result.Parts {
			s := pt.Name + ": " + pt.Label
			if pt.Weight != 0 {
				s += fmt.Sprintf(" (%s × %s = %s)", points(pt.Points), points(pt.Weight), points(pt.Contribution))
			}
			row.Parts = append(row.Parts, s)
		}
		d.Rows = append(d.Rows, row)
	}
	p := h.newPage(r, "Scoring history: "+v.OCG.Title(), "/ocgs")
	p.Breadcrumbs = []view.Crumb{{Label: "Home", Href: "/"}, {Label: v.OCG.Reference, Href: "/ocgs/" + v.OCG.ID}}
	p.Data = d
	return h.render(w, r, http.StatusOK, "assessments", p)
}

type scoringModelsData struct {
	Models  []domain.ScoringModel
	Methods []Option // edit links
}

func (h *Web) scoringModels(w http.ResponseWriter, r *http.Request) error {
	if h.scoring == nil {
		return errNotFound
	}
	models, err := h.scoring.Models(r.Context())
	if err != nil {
		return err
	}
	d := scoringModelsData{Models: models}
	for _, m := range domain.ScoringMethods {
		d.Methods = append(d.Methods, Option{Value: "/admin/scoring-models/" + string(m), Label: "Edit the " + m.Label() + " model"})
	}
	p := h.newPage(r, "Scoring models", "/admin/users")
	p.Data = d
	return h.render(w, r, http.StatusOK, "scoring_models", p)
}

type scoringModelData struct {
	Method  domain.ScoringMethod
	Current domain.ScoringModel
	Notice  string
	Form    *Form
	Errors  []string // every problem, for the inline error
}

func (h *Web) scoringModelPage(w http.ResponseWriter, r *http.Request, status int, f *Form, problems []domain.FieldError) error {
	if h.scoring == nil {
		return errNotFound
	}
	method, ok := domain.ParseScoringMethod(r.PathValue("method"))
	if !ok {
		return domain.NotFound("scoring method", r.PathValue("method"))
	}
	cur, err := h.scoring.CurrentModel(r.Context(), method)
	if err != nil {
		return err
	}
	if f == nil {
		f = NewForm(url.Values{"definition": {cur.Definition}})
	}
	d := scoringModelData{Method: method, Current: cur, Notice: scoringNotice(cur.Def), Form: f}
	p := h.newPage(r, "Edit the "+method.Label()+" model", "/admin/users")
	p.Breadcrumbs = []view.Crumb{{Label: "Home", Href: "/"}, {Label: "Scoring models", Href: "/admin/scoring-models"}}
	// Problems name JSON paths inside the one definition field; each is
	// listed, and each links to the field.
	for _, pr := range problems {
		msg := pr.Message
		if pr.Field != "definition" && pr.Field != "" {
			msg = pr.Field + ": " + msg
		}
		d.Errors = append(d.Errors, msg)
		p.Errors = append(p.Errors, view.ErrorItem{Message: msg, Href: "#definition"})
	}
	p.Data = d
	return h.render(w, r, status, "scoring_model", p)
}

func (h *Web) scoringModelForm(w http.ResponseWriter, r *http.Request) error {
	return h.scoringModelPage(w, r, http.StatusOK, nil, nil)
}

func (h *Web) scoringModelSave(w http.ResponseWriter, r *http.Request) error {
	if h.scoring == nil {
		return errNotFound
	}
	if err := parseForm(w, r); err != nil {
		return err
	}
	f := NewForm(r.PostForm)
	method, ok := domain.ParseScoringMethod(r.PathValue("method"))
	if !ok {
		return domain.NotFound("scoring method", r.PathValue("method"))
	}
	// The definition is kept exactly as typed, spaces and all.
	_, err := h.scoring.SaveModel(r.Context(), router.ActorFrom(r.Context()), method, r.PostForm.Get("definition"))
	var verr *domain.ValidationError
	if errors.As(err, &verr) {
		return h.scoringModelPage(w, r, http.StatusUnprocessableEntity, f, verr.Problems)
	}
	if err != nil {
		return err
	}
	seeOther(w, r, "/admin/scoring-models")
	return nil
}
