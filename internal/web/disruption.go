package web

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"alliance/internal/authz"
	"alliance/internal/domain"
	"alliance/internal/router"
	"alliance/internal/service"
	"alliance/internal/web/view"
)

// withDisruptions adds "Disruptions" for those whose permissions open
// disruption records, and "Performance" for those who may count them.
func withDisruptions(pol authz.Policy, items []view.NavItem, a domain.Actor, current string) []view.NavItem {
	i := len(items) - 1 // before "Your account"
	if i < 0 {
		return items
	}
	var add []view.NavItem
	if service.MayOpenRecords(pol, a) {
		add = append(add, view.NavItem{Label: "Disruptions", Href: "/disruptions", Current: current == "/disruptions"})
	}
	if pol.Allowed(a, authz.Count, domain.KindDisruption) {
		add = append(add, view.NavItem{Label: "Performance", Href: "/performance", Current: current == "/performance"})
	}
	return slices.Insert(items, i, add...)
}

// performanceData is what the dashboard shows.
type performanceData struct {
	P                               service.Performance
	Form                            *Form
	Years, Quarters, Units, Threats []Option
	Agencies                        []Option
	CSVHref, XLSXHref               template.URL // the exports of the same view, for those who may export
	Cards                           []card
}

type card struct {
	ID, Value, Label string
}

// performanceCards are the dashboard's headline figures, as the dashboard,
// the home page and the board pack show them.
func performanceCards(p service.Performance) []card {
	var out []card
	for _, f := range service.BoardFigures(p) {
		out = append(out, card{ID: f.ID, Value: f.Value, Label: f.Label})
	}
	return out
}

// performanceInput reads the dashboard's filters from q (the query string,
// or the export form), each clipped to 60 characters, and a form holding
// them.
func (h *Web) performanceInput(q url.Values) (service.PerformanceInput, *Form) {
	clip := func(k string) string {
		v := q.Get(k)
		if len(v) > 60 {
			v = v[:60]
		}
		return v
	}
	in := service.PerformanceInput{FY: clip("fy"), Quarter: clip("quarter"), Unit: clip("unit"), Threat: clip("threat"), Agency: clip("agency")}
	return in, NewForm(url.Values{"fy": {in.FY}, "quarter": {in.Quarter}, "unit": {in.Unit}, "threat": {in.Threat}, "agency": {in.Agency}})
}

// performancePage shows the partnership dashboard. Bad filters are shown
// as form errors over the current year's unfiltered figures.
func (h *Web) performancePage(w http.ResponseWriter, r *http.Request) error {
	a := router.ActorFrom(r.Context())
	in, f := h.performanceInput(r.URL.Query())
	status := http.StatusOK
	p, err := h.perf.Compute(r.Context(), a, in)
	if f.FailAll(err) {
		status = http.StatusBadRequest
		p, err = h.perf.Compute(r.Context(), a, service.PerformanceInput{})
	}
	if err != nil {
		return err
	}
	if f.OK() {
		f.Values.Set("fy", p.FY.String())
	}
	form, err := h.disruptions.Form(r.Context(), a)
	if err != nil {
		return err
	}
	d := performanceData{P: p, Form: f}
	cur := domain.FiscalYearOf(domain.UKDay(time.Now()))
	for y := cur; y >= cur-5; y-- {
		d.Years = append(d.Years, Option{Value: y.String(), Label: y.String(), Checked: y == p.FY})
	}
	d.Quarters = []Option{{Value: "", Label: "The whole year", Checked: p.Quarter == 0}}
	for n, l := range []string{"Q1 (April to June)", "Q2 (July to September)", "Q3 (October to December)", "Q4 (January to March)"} {
		d.Quarters = append(d.Quarters, Option{Value: fmt.Sprintf("Q%d", n+1), Label: l, Checked: p.Quarter == n+1})
	}
	d.Units = []Option{{Value: "", Label: "The whole partnership", Checked: p.Unit.ID == ""}}
	for _, u := range form.Units {
		var label string
		switch u.Level {
		case domain.LevelWard:
			label = "— " + u.Name + " (ward)"
		case domain.LevelDistrict:
			label = u.Name + " (district)"
		default:
			label = u.Name + " (" + string(u.Level) + ")"
		}
		d.Units = append(d.Units, Option{Value: u.Code, Label: label, Checked: u.ID == p.Unit.ID})
	}
	d.Threats = []Option{{Value: "", Label: "All threats", Checked: p.Threat == ""}}
	for _, t := range form.Threats {
		d.Threats = append(d.Threats, Option{Value: t.Code, Label: t.Name, Checked: t.Code == p.Threat})
	}
	d.Agencies = []Option{{Value: "", Label: "All agencies", Checked: p.AgencyID == ""}}
	for _, ag := range form.Agencies {
		d.Agencies = append(d.Agencies, Option{Value: ag.ID, Label: ag.Name, Checked: ag.ID == p.AgencyID})
	}
	if p.Exportable {
		q := performanceFilters(p)
		q.Set("format", "csv")
		d.CSVHref = template.URL("/performance/export?" + q.Encode()) //nolint:gosec // a fixed path and an encoded query
		q.Set("format", "xlsx")
		d.XLSXHref = template.URL("/performance/export?" + q.Encode()) //nolint:gosec // as above
	}
	d.Cards = performanceCards(p)
	page := h.newPage(r, "Performance "+p.PeriodLabel(), "/performance")
	page.Errors = f.Summary()
	page.Data = d
	return h.render(w, r, status, "performance", page)
}

// disruptionsData is the disruptions list.
type disruptionsData struct {
	Status     string
	Statuses   []Option
	Rows       []domain.Disruption
	MayRecord  bool
	Panel      bool
	UnitName   map[string]string
	AgencyName map[string]string
	// Waiting is how long each submitted disruption has waited for the
	// panel, in words ("3 days"), by ID.
	Waiting map[string]string
}

// waited says how long ago, in whole days, at was, as of now (UK days).
func waited(at, now time.Time) string {
	days := int(domain.UKDay(now).Sub(domain.UKDay(at)).Hours() / 24)
	if days <= 0 {
		return "Today"
	}
	return domain.Count(days, "day", "days")
}

func (h *Web) disruptionsList(w http.ResponseWriter, r *http.Request) error {
	a := router.ActorFrom(r.Context())
	status := domain.DisruptionStatus(r.URL.Query().Get("status"))
	panel := h.disruptions.MayValidate(a)
	if r.URL.Query().Get("status") == "" && panel {
		status = domain.DisruptionSubmitted
	}
	valid := []domain.DisruptionStatus{domain.DisruptionDraft, domain.DisruptionSubmitted, domain.DisruptionReturned, domain.DisruptionValidated, domain.DisruptionWithdrawn}
	if status != "" && status != "all" && !slices.Contains(valid, status) {
		return domain.ErrNotFound
	}
	q := status
	if q == "all" {
		q = ""
	}
	list, err := h.disruptions.Queue(r.Context(), a, q, 200)
	if err != nil {
		return err
	}
	form, err := h.disruptions.Form(r.Context(), a)
	if err != nil {
		return err
	}
	d := disruptionsData{Status: string(status), Rows: list, MayRecord: h.disruptions.MayRecord(r.Context(), a), Panel: panel, UnitName: map[string]string{},
		AgencyName: map[string]string{}, Waiting: map[string]string{}}
	now := time.Now()
	for _, x := range list {
		if x.Status == domain.DisruptionSubmitted {
			d.Waiting[x.ID] = waited(x.UpdatedAt, now)
		}
	}
	d.Statuses = append(d.Statuses, Option{Value: "all", Label: "All", Checked: status == "" || status == "all"})
	for _, s := range valid {
		d.Statuses = append(d.Statuses, Option{Value: string(s), Label: s.Label(), Checked: s == status})
	}
	for _, u := range form.Units {
		d.UnitName[u.ID] = u.Name
	}
	for _, ag := range form.Agencies {
		d.AgencyName[ag.ID] = ag.Name
	}
	p := h.newPage(r, "Disruptions", "/disruptions")
	p.Data = d
	return h.render(w, r, http.StatusOK, "disruptions", p)
}

// disruptionFormData is the recording form.
type disruptionFormData struct {
	Form         *Form
	Form2        service.DisruptionForm
	Groups       []Option
	Activities   []Option
	Units        []Option
	LeadAgency   []Option
	Contributing []Option
	Tactics      []Option
	Threats      []Option
	OutcomeTypes []Option
	SeizureTypes []Option
	Lines        []int
	// MoreLines: another outcome line may be opened; Measures maps each
	// outcome type to its measure ("code:measure ..."), for the script
	// that shows only the inputs a chosen kind needs.
	MoreLines bool
	Measures  string
	Agencies  []domain.Agency
	Types     []domain.AgencyTypeInfo
	Impacts   []domain.Impact
	// People are the people the person finder found by name (person_q),
	// to choose from; NoPeople says it looked and found none.
	People   []Option
	NoPeople bool
	// FoundGroups are the groups "Find groups" found for group_q to choose
	// from (then shown instead of the list); NoGroups says it found none.
	FoundGroups []Option
	NoGroups    bool
}

// findPeople runs the form's person finder: the forgiving register search,
// for people only (logged with its words like any search), when person_q
// holds a name. Without a list to choose from, a problem with the person
// is shown at the finder.
func (h *Web) findPeople(r *http.Request, f *Form, d *disruptionFormData) error {
	if q := f.Get("person_q"); q != "" {
		res, err := h.finder.Search(r.Context(), router.ActorFrom(r.Context()), service.SearchInput{Text: q, Kinds: []string{string(domain.EntityPerson)}}, 1)
		var verr *domain.ValidationError
		switch {
		case errors.As(err, &verr):
			f.Fail("person_q", verr.Problems[0].Message)
		case err != nil:
			return err
		}
		for _, it := range res.Items {
			label := it.Name + ", " + it.Reference
			if it.DOB != nil {
				label += ", born " + view.FormatDate(*it.DOB)
			}
			if it.Matched != "" {
				label += " (" + it.MatchedAs + " " + it.Matched + ")"
			}
			d.People = append(d.People, Option{Value: it.ID, Label: label, Checked: f.Get("entity") == it.ID})
		}
		d.NoPeople = err == nil && len(d.People) == 0
	}
	if len(d.People) == 0 {
		f.Move("entity", "person_q")
	}
	return nil
}

// findGroups fills d.FoundGroups with the groups the viewer may see that
// the forgiving search finds for group_q (logged with its words like any
// search), when it holds a name.
func (h *Web) findGroups(r *http.Request, f *Form, d *disruptionFormData) error {
	q := f.Get("group_q")
	if q == "" {
		return nil
	}
	res, err := h.finder.Search(r.Context(), router.ActorFrom(r.Context()), service.SearchInput{Text: q, Kinds: []string{service.KindGroup}}, 1)
	var verr *domain.ValidationError
	switch {
	case errors.As(err, &verr):
		f.Fail("group_q", verr.Problems[0].Message)
	case err != nil:
		return err
	}
	for _, it := range res.Items {
		label := it.Name + ", " + it.Reference
		if it.Matched != "" {
			label += " (" + it.MatchedAs + " " + it.Matched + ")"
		}
		d.FoundGroups = append(d.FoundGroups, Option{Value: it.ID, Label: label, Checked: f.Get("ocg") == it.ID})
	}
	if len(d.FoundGroups) > 0 {
		d.FoundGroups = append(d.FoundGroups, Option{Value: "", Label: "None of these", Checked: f.Get("ocg") == ""})
	}
	d.NoGroups = err == nil && len(d.FoundGroups) == 0
	return nil
}

// outcomeLines is how many outcome rows the form offers at most; a
// disruption with more is recorded, then given the rest from its page.
const outcomeLines = 8

// outcomeFields are the inputs of one outcome line.
var outcomeFields = []string{"type", "seizure_type", "drug_class", "agency", "quantity", "grams", "value", "years", "months", "note"}

// shownOutcomeLines is which outcome lines the form opens: every line up
// to the last one with anything in it (or an error), the lines the
// recorder has opened (outcome_lines), one more after "Add another
// outcome", and at least one; never more than outcomeLines.
func shownOutcomeLines(f *Form) []int {
	n := 1
	if v, err := strconv.Atoi(f.Get("outcome_lines")); err == nil && v > n {
		n = v
	}
	for i := 1; i <= outcomeLines; i++ {
		for _, k := range outcomeFields {
			name := fmt.Sprintf("outcome-%d-%s", i, k)
			if strings.TrimSpace(f.Get(name)) != "" || f.Errors[name] != "" {
				n = max(n, i)
			}
		}
	}
	if f.Get("action") == "add_outcome" {
		n++
	}
	n = min(n, outcomeLines)
	lines := make([]int, n)
	for i := range lines {
		lines[i] = i + 1
	}
	return lines
}

func (h *Web) disruptionNew(w http.ResponseWriter, r *http.Request) error {
	a := router.ActorFrom(r.Context())
	v := url.Values{"classification": {"OFFICIAL"}, "handling": {"P"}, "restricted": {"no"}, "subject": {"ocg"}, "lead_agency": {a.AgencyID}}
	if g := r.URL.Query().Get("ocg"); g != "" {
		v.Set("ocg", g)
	}
	return h.disruptionFormPage(w, r, http.StatusOK, NewForm(v))
}

func (h *Web) disruptionFormPage(w http.ResponseWriter, r *http.Request, status int, f *Form) error {
	a := router.ActorFrom(r.Context())
	ctx := r.Context()
	if !h.disruptions.MayRecord(ctx, a) {
		return domain.ErrForbidden
	}
	form, err := h.disruptions.Form(ctx, a)
	if err != nil {
		return err
	}
	types, err := h.svc.AgencyTypes(ctx)
	if err != nil {
		return err
	}
	d := disruptionFormData{Form: f, Form2: form, Agencies: form.Agencies, Types: types, Impacts: domain.Impacts}
	if d.Groups, err = h.groupChoice(r, f); err != nil {
		return err
	}
	if err := h.findPeople(r, f, &d); err != nil {
		return err
	}
	if err := h.findGroups(r, f, &d); err != nil {
		return err
	}
	acts, err := h.disruptions.Activities(ctx, a, true)
	if err != nil {
		return err
	}
	d.Activities = []Option{{Value: "", Label: "None"}}
	for _, x := range acts {
		d.Activities = append(d.Activities, Option{Value: x.ID, Label: x.Reference + ": " + x.Title, Checked: f.Get("activity") == x.ID})
	}
	d.Units = []Option{{Value: "", Label: "Choose the ward or district"}}
	for _, u := range form.Units {
		if u.Level == domain.LevelWard || u.Level == domain.LevelDistrict {
			label := u.Name + " (district)"
			if u.Level == domain.LevelWard {
				label = u.Name + " (ward)"
			}
			d.Units = append(d.Units, Option{Value: u.ID, Label: label, Checked: f.Get("unit") == u.ID})
		}
	}
	for _, ag := range form.Agencies {
		d.LeadAgency = append(d.LeadAgency, Option{Value: ag.ID, Label: ag.Name, Checked: f.Get("lead_agency") == ag.ID})
		d.Contributing = append(d.Contributing, Option{Value: ag.ID, Label: ag.Name, Checked: f.Has("agencies", ag.ID)})
	}
	for _, t := range form.Tactics {
		label := t.Name
		if t.Partner {
			label += " (partner power)"
		}
		d.Tactics = append(d.Tactics, Option{Value: t.Code, Label: label, Checked: f.Has("tactics", t.Code)})
	}
	for _, t := range form.Threats {
		d.Threats = append(d.Threats, Option{Value: t.Code, Label: t.Name, Checked: f.Has("threats", t.Code)})
	}
	d.OutcomeTypes = []Option{{Value: "", Label: "Choose"}}
	for _, t := range form.OutcomeTypes {
		d.OutcomeTypes = append(d.OutcomeTypes, Option{Value: t.Code, Label: t.Name})
	}
	d.SeizureTypes = []Option{{Value: "", Label: "Not a seizure"}}
	for _, t := range form.SeizureTypes {
		d.SeizureTypes = append(d.SeizureTypes, Option{Value: t.Code, Label: t.Name})
	}
	d.Lines = shownOutcomeLines(f)
	d.MoreLines = len(d.Lines) < outcomeLines
	var measures []string
	for _, t := range form.OutcomeTypes {
		measures = append(measures, t.Code+":"+string(t.Measure))
	}
	d.Measures = strings.Join(measures, " ")
	p := h.newPage(r, "Record a disruption", "/disruptions")
	p.Errors = f.Summary()
	p.Data = d
	return h.render(w, r, status, "disruption_new", p)
}

func (h *Web) disruptionCreate(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	f := NewForm(r.PostForm)
	in := service.DisruptionInput{Subject: f.Get("subject"), OCGID: f.Get("ocg"), EntityID: f.Get("entity"), Theme: f.Get("theme"),
		ActivityID: f.Get("activity"), FourP: f.Get("four_p"), Impact: f.Get("impact"), Rationale: f.Get("rationale"), On: f.Get("disrupted_on"),
		UnitID: f.Get("unit"), LeadAgency: f.Get("lead_agency"), Agencies: f.Values["agencies"], Tactics: f.Values["tactics"], Threats: f.Values["threats"],
		Narrative: f.Get("narrative"), APMISRef: f.Get("apmis_ref"), Marking: markingInput(f), Submit: f.Get("action") == "submit",
		ConfirmUnusual: f.Get("confirm_unusual") == "yes"}
	for i := 1; i <= outcomeLines; i++ {
		k := func(name string) string { return f.Get(fmt.Sprintf("outcome-%d-%s", i, name)) }
		in.Outcomes = append(in.Outcomes, service.OutcomeInput{Type: k("type"), SeizureType: k("seizure_type"), DrugClass: k("drug_class"), AgencyID: k("agency"),
			Quantity: k("quantity"), Grams: k("grams"), Value: k("value"), Years: k("years"), Months: k("months"), Note: k("note")})
	}
	if a := f.Get("action"); a == "find_person" || a == "find_group" || a == "add_outcome" {
		// The person finder, without JavaScript: the same form again,
		// with the people found to choose from; nothing is stored.
		return h.disruptionFormPage(w, r, http.StatusOK, f)
	}
	d, err := h.disruptions.Record(r.Context(), router.ActorFrom(r.Context()), in)
	if f.FailAll(err) {
		return h.disruptionFormPage(w, r, http.StatusUnprocessableEntity, f)
	}
	if err != nil {
		return err
	}
	seeOther(w, r, "/disruptions/"+d.ID)
	return nil
}

// disruptionData is one disruption's page.
type disruptionData struct {
	V          service.DisruptionView
	Form       *Form
	UnitName   string
	AgencyName map[string]string
	OCG        string
	Tactics    map[string]string
	Threats    map[string]string
	Outcomes   map[string]string
	Seizures   map[string]string
	FourPs     []Option
	Impacts    []Option
	APMIS      []Option
}

func (h *Web) disruptionShow(w http.ResponseWriter, r *http.Request) error {
	return h.disruptionPage(w, r, http.StatusOK, NewForm(nil))
}

func (h *Web) disruptionPage(w http.ResponseWriter, r *http.Request, status int, f *Form) error {
	a := router.ActorFrom(r.Context())
	v, err := h.disruptions.Disruption(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	form, err := h.disruptions.Form(r.Context(), a)
	if err != nil {
		return err
	}
	d := disruptionData{V: v, Form: f, AgencyName: map[string]string{}, Tactics: map[string]string{}, Threats: map[string]string{},
		Outcomes: map[string]string{}, Seizures: map[string]string{}}
	for _, u := range form.Units {
		if u.ID == v.Disruption.UnitID {
			d.UnitName = u.Name
		}
	}
	for _, ag := range form.Agencies {
		d.AgencyName[ag.ID] = ag.Name
	}
	for _, t := range form.Tactics {
		d.Tactics[t.Code] = t.Name
	}
	for _, t := range form.Threats {
		d.Threats[t.Code] = t.Name
	}
	for _, t := range form.OutcomeTypes {
		d.Outcomes[t.Code] = t.Name
	}
	for _, t := range form.SeizureTypes {
		d.Seizures[t.Code] = t.Name
	}
	fp, imp := f.Get("four_p"), f.Get("impact")
	if fp == "" {
		fp = string(v.Disruption.FourP)
	}
	if imp == "" {
		imp = string(v.Disruption.Impact)
	}
	for _, p := range domain.FourPs {
		d.FourPs = append(d.FourPs, Option{Value: string(p), Label: p.Label(), Checked: string(p) == fp})
	}
	for _, i := range domain.Impacts {
		d.Impacts = append(d.Impacts, Option{Value: string(i), Label: i.Label(), Checked: string(i) == imp})
	}
	apmis := f.Get("apmis_status")
	if apmis == "" {
		apmis = v.Disruption.APMISStatus
	}
	if f.Get("apmis_ref") == "" && f.OK() {
		f.Values.Set("apmis_ref", v.Disruption.APMISRef)
	}
	for _, s := range service.APMISStatuses {
		d.APMIS = append(d.APMIS, Option{Value: s, Label: service.APMISLabel(s), Checked: s == apmis})
	}
	p := h.newPage(r, "Disruption "+v.Disruption.Reference, "/disruptions")
	p.Errors = f.Summary()
	p.Data = d
	return h.render(w, r, status, "disruption", p)
}

func (h *Web) disruptionDecide(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	f := NewForm(r.PostForm)
	to := domain.DisruptionStatus(f.Get("to"))
	switch to {
	case domain.DisruptionSubmitted, domain.DisruptionValidated, domain.DisruptionReturned, domain.DisruptionWithdrawn:
	default:
		return domain.ErrNotFound
	}
	_, err := h.disruptions.Decide(r.Context(), router.ActorFrom(r.Context()), r.PathValue("id"),
		service.DecisionInput{To: to, FourP: f.Get("four_p"), Impact: f.Get("impact"), Reason: f.Get("reason")})
	if f.FailAll(err) {
		return h.disruptionPage(w, r, http.StatusUnprocessableEntity, f)
	}
	if errors.Is(err, domain.ErrConflict) {
		msg := err.Error()
		f.Fail("to", strings.ToUpper(msg[:1])+msg[1:])
		return h.disruptionPage(w, r, http.StatusConflict, f)
	}
	if err != nil {
		return err
	}
	next := "/disruptions/" + r.PathValue("id")
	if to == domain.DisruptionValidated || to == domain.DisruptionReturned {
		next = "/disruptions?status=submitted"
	}
	seeOther(w, r, next)
	return nil
}

// disruptionReopen sends a validated disruption back to the panel, with
// the reason the form gives; problems re-render the disruption's page.
func (h *Web) disruptionReopen(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	f := NewForm(r.PostForm)
	_, err := h.disruptions.Reopen(r.Context(), router.ActorFrom(r.Context()), r.PathValue("id"), f.Get("reason"))
	if f.FailAll(err) {
		return h.disruptionPage(w, r, http.StatusUnprocessableEntity, f)
	}
	if errors.Is(err, domain.ErrConflict) {
		// No longer validated, so the page has no reopening form: the
		// problem points at the status it has now.
		msg := err.Error()
		f.Fail("status", strings.ToUpper(msg[:1])+msg[1:])
		return h.disruptionPage(w, r, http.StatusConflict, f)
	}
	if err != nil {
		return err
	}
	seeOther(w, r, "/disruptions/"+url.PathEscape(r.PathValue("id")))
	return nil
}

// moneyText writes pence as pounds for the templates.
func moneyText(pence int64) string { return domain.FormatPounds(pence) }

// monthsText writes a sentence as years and months.
func monthsText(months any) string {
	var m int
	switch v := months.(type) {
	case int:
		m = v
	case int64:
		m = int(v)
	}
	y, mm := m/12, m%12
	switch {
	case y == 0:
		return strconv.Itoa(mm) + " months"
	case mm == 0:
		return fmt.Sprintf("%d years", y)
	}
	return fmt.Sprintf("%d years %d months", y, mm)
}

// cellText writes a dashboard figure.
func cellText(c service.Cell, threshold int) string { return c.Text(threshold) }

// rateText writes a rate per 1,000 to two places.
func rateText(r *float64) string { return service.RateText(r) }

// dict builds a map from key, value pairs, for passing several values to a
// template.
func dict(kv ...any) (map[string]any, error) {
	if len(kv)%2 != 0 {
		return nil, errors.New("dict: odd number of arguments")
	}
	m := make(map[string]any, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		k, ok := kv[i].(string)
		if !ok {
			return nil, fmt.Errorf("dict: key %v is not a string", kv[i])
		}
		m[k] = kv[i+1]
	}
	return m, nil
}

// freshOptions copies options, so that a form with several rows of the
// same choice marks each row's own value.
func freshOptions(opts []Option) []Option { return slices.Clone(opts) }

// agencyChoice is a list of agencies with an empty first choice.
func agencyChoice(ags []domain.Agency) []Option {
	return append([]Option{{Value: "", Label: "The lead agency"}}, agencyOptions(ags)...)
}

// sub subtracts, for tables that show a remainder.
func sub(a, b int) int { return a - b }

// activitiesData is the activities page: the list and the form to open one.
type activitiesData struct {
	Rows       []domain.Activity
	Form       *Form
	Groups     []Option
	LeadAgency []Option
	AgencyName map[string]string
	MayRecord  bool
	Agencies   []domain.Agency
	Types      []domain.AgencyTypeInfo
}

func (h *Web) activitiesPage(w http.ResponseWriter, r *http.Request) error {
	a := router.ActorFrom(r.Context())
	return h.activitiesRender(w, r, http.StatusOK, NewForm(url.Values{"kind": {"operation"}, "lead_agency": {a.AgencyID}, "classification": {"OFFICIAL"},
		"handling": {"P"}, "restricted": {"no"}}))
}

func (h *Web) activitiesRender(w http.ResponseWriter, r *http.Request, status int, f *Form) error {
	a := router.ActorFrom(r.Context())
	ctx := r.Context()
	list, err := h.disruptions.Activities(ctx, a, false)
	if err != nil {
		return err
	}
	form, err := h.disruptions.Form(ctx, a)
	if err != nil {
		return err
	}
	types, err := h.svc.AgencyTypes(ctx)
	if err != nil {
		return err
	}
	d := activitiesData{Rows: list, Form: f, AgencyName: map[string]string{}, MayRecord: h.disruptions.MayRecord(ctx, a), Agencies: form.Agencies, Types: types}
	for _, ag := range form.Agencies {
		d.AgencyName[ag.ID] = ag.Name
		d.LeadAgency = append(d.LeadAgency, Option{Value: ag.ID, Label: ag.Name})
	}
	if d.Groups, err = h.groupChoice(r, f); err != nil {
		return err
	}
	p := h.newPage(r, "Activities", "/disruptions")
	p.Errors = f.Summary()
	p.Data = d
	return h.render(w, r, status, "activities", p)
}

func (h *Web) activityCreate(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	f := NewForm(r.PostForm)
	_, err := h.disruptions.OpenActivity(r.Context(), router.ActorFrom(r.Context()), service.ActivityInput{Title: f.Get("title"), Kind: f.Get("kind"),
		OCGID: f.Get("ocg"), LeadAgency: f.Get("lead_agency"), APMISRef: f.Get("apmis_ref"), OpenedOn: f.Get("opened_on"), Marking: markingInput(f)})
	if f.FailAll(err) {
		return h.activitiesRender(w, r, http.StatusUnprocessableEntity, f)
	}
	if err != nil {
		return err
	}
	seeOther(w, r, "/activities")
	return nil
}

func (h *Web) activityClose(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	f := NewForm(r.PostForm)
	err := h.disruptions.CloseActivity(r.Context(), router.ActorFrom(r.Context()), r.PathValue("id"), f.Get("closed_on"))
	// The close forms are rows of the table: problems point at the table.
	page := NewForm(nil)
	var verr *domain.ValidationError
	if errors.As(err, &verr) && len(verr.Problems) > 0 {
		page.Fail("activities", verr.Problems[0].Message)
		return h.activitiesRender(w, r, http.StatusUnprocessableEntity, page)
	}
	if errors.Is(err, domain.ErrConflict) {
		page.Fail("activities", "The activity is already closed")
		return h.activitiesRender(w, r, http.StatusConflict, page)
	}
	if err != nil {
		return err
	}
	seeOther(w, r, "/activities")
	return nil
}

func (h *Web) disruptionAPMIS(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	f := NewForm(r.PostForm)
	err := h.disruptions.SetAPMIS(r.Context(), router.ActorFrom(r.Context()), r.PathValue("id"), f.Get("apmis_ref"), f.Get("apmis_status"))
	if f.FailAll(err) {
		return h.disruptionPage(w, r, http.StatusUnprocessableEntity, f)
	}
	if err != nil {
		return err
	}
	seeOther(w, r, "/disruptions/"+url.PathEscape(r.PathValue("id")))
	return nil
}

// refData is the reference data page: one table of each kind, each row a
// form, and a form to add an item.
type refData struct {
	Kinds []refKind
	Form  *Form
}

type refKind struct {
	Kind, Label, Property string
	Items                 []service.RefItem
}

func (h *Web) referenceData(w http.ResponseWriter, r *http.Request) error {
	return h.referenceDataPage(w, r, http.StatusOK, NewForm(url.Values{"kind": {"tactic"}, "active": {"yes"}, "sort_order": {"1000"}}))
}

func (h *Web) referenceDataPage(w http.ResponseWriter, r *http.Request, status int, f *Form) error {
	a := router.ActorFrom(r.Context())
	d := refData{Form: f}
	for _, k := range service.RefKinds {
		items, err := h.disruptions.RefItems(r.Context(), a, k.Kind)
		if err != nil {
			return err
		}
		d.Kinds = append(d.Kinds, refKind{Kind: k.Kind, Label: k.Label, Property: k.Property, Items: items})
	}
	p := h.newPage(r, "Disruption reference data", "/admin/reference-data")
	p.Errors = f.Summary()
	p.Data = d
	return h.render(w, r, status, "reference_data", p)
}

func (h *Web) referenceDataSave(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	f := NewForm(r.PostForm)
	err := h.disruptions.SaveRefItem(r.Context(), router.ActorFrom(r.Context()), service.RefInput{Kind: f.Get("kind"), Code: f.Get("code"), Name: f.Get("name"),
		Property: f.Get("property"), SortOrder: f.Get("sort_order"), Active: f.Get("active") == "yes"})
	if f.FailAll(err) {
		return h.referenceDataPage(w, r, http.StatusUnprocessableEntity, f)
	}
	if errors.Is(err, domain.ErrConflict) {
		f.Fail("code", "That code is already used")
		return h.referenceDataPage(w, r, http.StatusConflict, f)
	}
	if err != nil {
		return err
	}
	seeOther(w, r, "/admin/reference-data#"+f.Get("kind"))
	return nil
}

// groupChoice offers the groups the user may see (the first 500 by score)
// for a disruption's or an activity's "ocg" field, with "None" first.
func (h *Web) groupChoice(r *http.Request, f *Form) ([]Option, error) {
	groups, err := h.register.Groups(r.Context(), router.ActorFrom(r.Context()), service.GroupFilter{}, 1, 500)
	if err != nil && !errors.Is(err, domain.ErrForbidden) {
		return nil, err
	}
	out := []Option{{Value: "", Label: "None"}}
	for _, o := range groups.Items {
		out = append(out, Option{Value: o.ID, Label: o.Reference + ": " + o.Title(), Checked: f.Get("ocg") == o.ID})
	}
	return out, nil
}
