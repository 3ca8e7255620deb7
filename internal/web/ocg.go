package web

// The OCG register's pages: the list of groups, proposing and editing a
// group, its page with members, links, 4P plan and lifecycle history, the
// lifecycle steps, members, people and other entities, links, and the 4P
// plan with its actions. Every read and write goes through
// service.Register, which applies the access policy and writes the audit
// log; a record the user may not see is "Page not found".

import (
	"context"
	"errors"
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

// registerFuncs are the template functions the register's pages use.
var registerFuncs = template.FuncMap{
	"ukDay":        ukDay,
	"scoreText":    scoreText,
	"statusClass":  statusClass,
	"actionClass":  actionClass,
	"confidence":   confidenceLabel,
	"gender":       genderLabel,
	"nodeHref":     nodeHref,
	"handlingText": handlingText,
	"planStatus":   planStatusLabel,
	"money":        moneyText,
	"monthsText":   monthsText,
	"cell":         cellText,
	"rate":         rateText,
	"dict":         dict,
	"fresh":        freshOptions,
	"agencyChoice": agencyChoice,
	"sub":          sub,
	"apmisLabel":   service.APMISLabel,
}

func planStatusLabel(s domain.PlanStatus) string {
	switch s {
	case domain.PlanDraft:
		return "Draft"
	case domain.PlanActive:
		return "Active"
	case domain.PlanUnderReview:
		return "Under review"
	case domain.PlanClosed:
		return "Closed"
	}
	return string(s)
}

// ukDay writes a day as "22 November 2026", or "" for none.
func ukDay(v any) string {
	switch t := v.(type) {
	case *time.Time:
		if t == nil {
			return ""
		}
		return domain.FormatUK(*t)
	case time.Time:
		if t.IsZero() {
			return ""
		}
		return domain.FormatUK(t)
	}
	return ""
}

// inputDay writes a day as typed in forms: 22/11/2026.
func inputDay(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.Format("02/01/2006")
}

func scoreText(s *float64) string {
	if s == nil {
		return ""
	}
	return strconv.FormatFloat(*s, 'f', -1, 64)
}

// statusClass is the GOV.UK tag colour of a lifecycle state.
func statusClass(s domain.OCGStatus) string {
	switch s {
	case domain.StatusProposed:
		return "govuk-tag--grey"
	case domain.StatusUnderAssessment:
		return "govuk-tag--yellow"
	case domain.StatusMapped:
		return "govuk-tag--blue"
	case domain.StatusAdopted:
		return "govuk-tag--green"
	case domain.StatusManaged:
		return "govuk-tag--turquoise"
	case domain.StatusArchived:
		return "govuk-tag--grey"
	}
	return ""
}

func actionClass(s domain.ActionStatus) string {
	switch s {
	case domain.ActionNotStarted:
		return "govuk-tag--grey"
	case domain.ActionInProgress:
		return "govuk-tag--blue"
	case domain.ActionDone:
		return "govuk-tag--green"
	case domain.ActionCancelled:
		return "govuk-tag--red"
	}
	return ""
}

func confidenceLabel(c domain.Confidence) string {
	switch c {
	case domain.ConfidenceHigh:
		return "High"
	case domain.ConfidenceMedium:
		return "Medium"
	case domain.ConfidenceLow:
		return "Low"
	}
	return string(c)
}

func genderLabel(g string) string {
	if g == "" {
		return ""
	}
	return strings.ToUpper(g[:1]) + g[1:]
}

// nodeHref is the page of a link's end.
func nodeHref(kind domain.NodeKind, id string) string {
	if kind == domain.NodeOCG {
		return "/ocgs/" + id
	}
	return "/people/" + id
}

// handlingText describes a record's handling code in words.
func handlingText(m domain.Marking) string {
	switch m.Handling {
	case domain.HandlingP:
		return "P: lawful sharing permitted"
	case domain.HandlingC:
		return "C: lawful sharing permitted with conditions"
	}
	return string(m.Handling)
}

// withGroups adds "Groups" to the navigation of users whose roles let them
// read the register at all.
func (h *Web) withGroups(ctx context.Context, a domain.Actor, items []view.NavItem, current string) []view.NavItem {
	if a.Anonymous() || len(items) == 0 || !h.register.Allowed(ctx, a, authz.List, domain.KindOCG) {
		return items
	}
	item := view.NavItem{Label: "Groups", Href: "/ocgs", Current: current == "/ocgs"}
	return slices.Insert(items, 1, item)
}

// ----- The list -----

type ocgListData struct {
	service.GroupPage
	Form       *Form
	Statuses   []Option
	Threats    []Option
	Prev, Next string
}

func ocgListURL(f service.GroupFilter, page int) string {
	v := url.Values{}
	if f.Status != "" {
		v.Set("status", f.Status)
	}
	if f.Threat != "" {
		v.Set("threat", f.Threat)
	}
	if f.Text != "" {
		v.Set("q", f.Text)
	}
	if f.Sort != "" {
		v.Set("sort", f.Sort)
	}
	if page > 1 {
		v.Set("page", strconv.Itoa(page))
	}
	if len(v) == 0 {
		return "/ocgs"
	}
	return "/ocgs?" + v.Encode()
}

// statusFilterOptions are the register list's status choices.
func statusFilterOptions(selected string) []Option {
	opts := []Option{{Value: "", Label: "Current (all but archived)"}, {Value: "active", Label: "Active (mapped, adopted or managed)"}}
	for _, s := range domain.OCGStatuses {
		opts = append(opts, Option{Value: string(s), Label: s.Label()})
	}
	opts = append(opts, Option{Value: "all", Label: "All, including archived"})
	for i := range opts {
		opts[i].Checked = opts[i].Value == selected
	}
	return opts
}

func threatOptions(ts []domain.Threat, selected string, blank string) []Option {
	var opts []Option
	if blank != "" {
		opts = append(opts, Option{Value: "", Label: blank, Checked: selected == ""})
	}
	for _, t := range ts {
		opts = append(opts, Option{Value: t.Code, Label: t.Name, Checked: t.Code == selected})
	}
	return opts
}

func (h *Web) ocgList(w http.ResponseWriter, r *http.Request) error {
	a := router.ActorFrom(r.Context())
	q := r.URL.Query()
	page := 1
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100000 {
			return domain.NotFound("page", v)
		}
		page = n
	}
	text := strings.TrimSpace(q.Get("q"))
	if len(text) > 200 {
		text = text[:200]
	}
	f := service.GroupFilter{Status: q.Get("status"), Threat: q.Get("threat"), Text: text, Sort: q.Get("sort")}
	if f.Sort != "name" {
		f.Sort = ""
	}
	res, err := h.register.Groups(r.Context(), a, f, page, 25)
	if err != nil {
		return err
	}
	threats, err := h.register.Threats(r.Context())
	if err != nil {
		return err
	}
	d := ocgListData{GroupPage: res, Form: NewForm(q), Statuses: statusFilterOptions(f.Status), Threats: threatOptions(threats, f.Threat, "Any threat")}
	if res.Page > 1 {
		d.Prev = ocgListURL(f, res.Page-1)
	}
	if res.Page < res.Pages {
		d.Next = ocgListURL(f, res.Page+1)
	}
	p := h.newPage(r, "Organised crime groups", "/ocgs")
	p.Data = d
	return h.render(w, r, http.StatusOK, "ocgs", p)
}

// ----- Proposing and editing -----

type areaGroup struct {
	District Option
	Wards    []Option
}

type ocgFormData struct {
	Form       *Form
	Edit       bool
	OCG        domain.OCG // when editing
	Action     string
	Threats    []domain.Threat
	Primary    []Option
	Others     []Option
	HomeUnits  []optGroup
	Areas      []areaGroup
	Agencies   []domain.Agency
	LeadAgency []Option
	Types      []domain.AgencyTypeInfo
}

// optGroup is an <optgroup> of a select.
type optGroup struct {
	Label   string
	Options []Option
}

// selectOptions marks the options whose value is selected.
func selectOptions(opts []Option, selected string) []Option {
	out := slices.Clone(opts)
	for i := range out {
		out[i].Checked = out[i].Value == selected
	}
	return out
}

func (h *Web) ocgFormPage(w http.ResponseWriter, r *http.Request, status int, f *Form, edit *domain.OCG) error {
	a := router.ActorFrom(r.Context())
	ctx := r.Context()
	if edit == nil && !h.register.Allowed(ctx, a, authz.Create, domain.KindOCG) {
		return domain.ErrForbidden
	}
	part, err := h.currentPartnership(ctx)
	if err != nil {
		return err
	}
	threats, err := h.register.Threats(ctx)
	if err != nil {
		return err
	}
	units, err := h.svc.Areas(ctx, part, "")
	if err != nil {
		return err
	}
	ags, err := h.admin.Agencies(ctx, a)
	if err != nil {
		return err
	}
	types, err := h.svc.AgencyTypes(ctx)
	if err != nil {
		return err
	}
	d := ocgFormData{Form: f, Threats: threats, Agencies: ags, Types: types, Action: "/ocgs"}
	d.Primary = threatOptions(threats, f.Get("primary_threat"), "Choose the main threat")
	for _, t := range threats {
		d.Others = append(d.Others, Option{Value: t.Code, Label: t.Name, Checked: f.Has("threats", t.Code)})
	}
	// Home area: districts, each with its wards; the force and region too.
	home := f.Get("home_unit")
	top := optGroup{Label: "Whole area"}
	idx := map[string]int{}
	for _, u := range units {
		switch u.Level {
		case domain.LevelRegion, domain.LevelForce:
			top.Options = append(top.Options, Option{Value: u.ID, Label: u.Name, Checked: u.ID == home})
		case domain.LevelDistrict:
			idx[u.ID] = len(d.HomeUnits)
			d.HomeUnits = append(d.HomeUnits, optGroup{Label: u.Name, Options: []Option{{Value: u.ID, Label: u.Name + " (whole district)", Checked: u.ID == home}}})
			d.Areas = append(d.Areas, areaGroup{District: Option{Value: u.ID, Label: u.Name, Checked: f.Has("areas", u.ID)}})
		}
	}
	for _, u := range units {
		if u.Level != domain.LevelWard {
			continue
		}
		if i, ok := idx[u.ParentID]; ok {
			d.HomeUnits[i].Options = append(d.HomeUnits[i].Options, Option{Value: u.ID, Label: u.Name, Checked: u.ID == home})
			d.Areas[i].Wards = append(d.Areas[i].Wards, Option{Value: u.ID, Label: u.Name, Checked: f.Has("areas", u.ID)})
		}
	}
	d.HomeUnits = append([]optGroup{{Label: "Not recorded", Options: []Option{{Value: "", Label: "Not recorded", Checked: home == ""}}}, top}, d.HomeUnits...)
	d.LeadAgency = append([]Option{{Value: "", Label: "Not recorded"}}, agencyOptions(ags)...)
	d.LeadAgency = selectOptions(d.LeadAgency, f.Get("lead_agency"))
	title := "Propose a group"
	if edit != nil {
		d.Edit, d.OCG, d.Action = true, *edit, "/ocgs/"+edit.ID+"/edit"
		title = "Edit " + edit.Reference
	}
	p := h.newPage(r, title, "/ocgs")
	p.Breadcrumbs = []view.Crumb{{Label: "Home", Href: "/"}, {Label: "Groups", Href: "/ocgs"}}
	if edit != nil {
		p.Breadcrumbs = append(p.Breadcrumbs, view.Crumb{Label: edit.Reference, Href: "/ocgs/" + edit.ID})
	}
	p.Errors = f.Summary()
	p.Data = d
	return h.render(w, r, status, "ocg_new", p)
}

func (h *Web) ocgNew(w http.ResponseWriter, r *http.Request) error {
	return h.ocgFormPage(w, r, http.StatusOK, NewForm(url.Values{"classification": {"OFFICIAL-SENSITIVE"}, "handling": {"P"},
		"restricted": {"no"}, "ownership": {"local"}}), nil)
}

// markingInput reads the marking fields the report form also uses.
func markingInput(f *Form) domain.MarkingInput {
	return domain.MarkingInput{Classification: f.Get("classification"), Handling: f.Get("handling"), HandlingNote: f.Get("handling_conditions"),
		ConditionAgencies: f.Values["condition_agencies"], ConditionTypes: f.Values["condition_types"],
		Restricted: f.Get("restricted") == "yes", NamedAgencies: f.Values["named_agencies"], NamedUsers: splitLines(f.Get("named_users"))}
}

func ocgInput(f *Form) domain.OCGInput {
	return domain.OCGInput{Name: f.Get("name"), OperationName: f.Get("operation_name"), Summary: f.Get("summary"), Ownership: f.Get("ownership"),
		PrimaryThreat: f.Get("primary_threat"), Threats: f.Values["threats"], HomeUnitID: f.Get("home_unit"), LeadAgencyID: f.Get("lead_agency"),
		AreaIDs: f.Values["areas"], Marking: markingInput(f), ProposedOn: f.Get("proposed_on")}
}

func (h *Web) ocgCreate(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	f := NewForm(r.PostForm)
	o, err := h.register.Propose(r.Context(), router.ActorFrom(r.Context()), ocgInput(f))
	if f.FailAll(err) {
		return h.ocgFormPage(w, r, http.StatusUnprocessableEntity, f, nil)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/ocgs/"+o.ID, http.StatusSeeOther)
	return nil
}

// group reads the group for a page, or shows the purpose prompt (and
// returns handled=true) when the user must first say why.
func (h *Web) group(w http.ResponseWriter, r *http.Request) (service.GroupView, bool, error) {
	v, err := h.register.Group(r.Context(), router.ActorFrom(r.Context()), r.PathValue("id"))
	var need *service.PurposeNeeded
	if errors.As(err, &need) {
		return v, true, h.registerPurposePage(w, r, http.StatusOK, need, "/ocgs/", NewForm(url.Values{"next": {r.URL.RequestURI()}}))
	}
	return v, false, err
}

func (h *Web) ocgEdit(w http.ResponseWriter, r *http.Request) error {
	v, handled, err := h.group(w, r)
	if handled || err != nil {
		return err
	}
	if !v.CanEdit {
		return domain.ErrForbidden
	}
	o := v.OCG
	f := NewForm(url.Values{"name": {o.Name}, "operation_name": {o.OperationName}, "summary": {o.Summary}, "ownership": {string(o.Ownership)},
		"primary_threat": {o.PrimaryThreat}, "threats": o.Threats, "home_unit": {o.HomeUnitID}, "lead_agency": {o.LeadAgencyID}, "areas": o.AreaIDs})
	return h.ocgFormPage(w, r, http.StatusOK, f, &o)
}

func (h *Web) ocgUpdate(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	f := NewForm(r.PostForm)
	a := router.ActorFrom(r.Context())
	id := r.PathValue("id")
	o, err := h.register.Update(r.Context(), a, id, ocgInput(f))
	if f.FailAll(err) {
		v, handled, gerr := h.group(w, r)
		if handled || gerr != nil {
			return gerr
		}
		return h.ocgFormPage(w, r, http.StatusUnprocessableEntity, f, &v.OCG)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/ocgs/"+o.ID, http.StatusSeeOther)
	return nil
}

// ----- The group page -----

type memberGroup struct {
	Role    domain.MemberRole
	Members []domain.Member
}

type strandActions struct {
	Strand  domain.FourP
	Actions []domain.PlanAction
}

type nextStep struct {
	To    domain.OCGStatus
	Label string
	Href  string
	Hint  string
}

type ocgData struct {
	service.GroupView
	Today       time.Time
	Roles       []memberGroup // current members by role
	Former      []domain.Member
	OtherLinks  []domain.Link
	Strands     []strandActions
	PlanOverdue bool
	ReviewOver  bool
	Steps       []nextStep
	ThreatNames []string
	AreaNames   []string
	CanLink     bool
	CanScore    bool
	// Disruptions is the group's performance over time.
	Disruptions service.GroupPerformance
}

// stepLabel is the button text for moving a group in from to to.
func stepLabel(from, to domain.OCGStatus) string {
	switch {
	case to == domain.StatusUnderAssessment && from == domain.StatusArchived:
		return "Reopen the group"
	case to == domain.StatusUnderAssessment && from == domain.StatusMapped:
		return "Send back for assessment"
	case to == domain.StatusUnderAssessment:
		return "Start assessment"
	case to == domain.StatusMapped && from == domain.StatusAdopted:
		return "Stop managing: back to mapped"
	case to == domain.StatusMapped:
		return "Record as mapped"
	case to == domain.StatusAdopted && from == domain.StatusManaged:
		return "Back to adopted"
	case to == domain.StatusAdopted:
		return "Adopt the group"
	case to == domain.StatusManaged:
		return "Record as managed"
	case to == domain.StatusArchived:
		return "Archive the group"
	}
	return "Move to " + strings.ToLower(to.Label())
}

func (h *Web) ocgShow(w http.ResponseWriter, r *http.Request) error {
	v, handled, err := h.group(w, r)
	if handled || err != nil {
		return err
	}
	ctx := r.Context()
	a := router.ActorFrom(ctx)
	o := v.OCG
	today := domain.UKDay(time.Now())
	d := ocgData{GroupView: v, Today: today, CanLink: v.CanPlan && h.register.Allowed(ctx, a, authz.Create, domain.KindEntity), CanScore: v.CanScore}
	// Ended memberships are former members: history, not counted as
	// current under any role.
	for _, role := range domain.MemberRoles {
		g := memberGroup{Role: role}
		for _, m := range v.Members {
			if m.Link.Role == role && !m.Link.Ended(today) {
				g.Members = append(g.Members, m)
			}
		}
		if len(g.Members) > 0 {
			d.Roles = append(d.Roles, g)
		}
	}
	for _, m := range v.Members {
		if m.Link.Ended(today) {
			d.Former = append(d.Former, m)
		}
	}
	for _, l := range v.Links {
		if l.Type != domain.LinkMemberOf {
			d.OtherLinks = append(d.OtherLinks, l)
		}
	}
	if v.Plan != nil {
		d.PlanOverdue = v.Plan.Overdue(today)
		for _, s := range domain.FourPs {
			sa := strandActions{Strand: s}
			for _, act := range v.Plan.Actions {
				if act.Strand == s {
					sa.Actions = append(sa.Actions, act)
				}
			}
			d.Strands = append(d.Strands, sa)
		}
	}
	d.ReviewOver = o.ReviewDue != nil && o.ReviewDue.Before(today) && o.Status != domain.StatusArchived
	if v.CanEdit {
		for _, to := range v.Next {
			s := nextStep{To: to, Label: stepLabel(o.Status, to), Href: "/ocgs/" + o.ID + "/transition?to=" + string(to)}
			if to == domain.StatusMapped && o.Score == nil {
				s.Hint = "Score the group first: a mapped group has an OCGM score."
			}
			d.Steps = append(d.Steps, s)
		}
	}
	threats, err := h.register.Threats(ctx)
	if err != nil {
		return err
	}
	for _, t := range threats {
		if slices.Contains(o.Threats, t.Code) {
			d.ThreatNames = append(d.ThreatNames, t.Name)
		}
	}
	if len(o.AreaIDs) > 0 {
		part, err := h.currentPartnership(ctx)
		if err != nil {
			return err
		}
		units, err := h.svc.Areas(ctx, part, "")
		if err != nil {
			return err
		}
		for _, u := range units {
			if slices.Contains(o.AreaIDs, u.ID) {
				d.AreaNames = append(d.AreaNames, u.Name)
			}
		}
	}
	if d.Disruptions, err = h.disruptions.ForGroup(ctx, a, o.ID); err != nil {
		return err
	}
	p := h.newPage(r, o.Reference+": "+o.Title(), "/ocgs")
	p.Breadcrumbs = []view.Crumb{{Label: "Home", Href: "/"}, {Label: "Groups", Href: "/ocgs"}}
	p.Data = d
	return h.render(w, r, http.StatusOK, "ocg", p)
}

// ----- The purpose prompt for groups and people -----

type registerPurposeData struct {
	Need     *service.PurposeNeeded
	Form     *Form
	Purposes []Option
	Action   string
	Back     string
	Next     string
}

// registerPurposePage asks why the user opens a group (base "/ocgs/") or
// a person or other entity (base "/people/").
func (h *Web) registerPurposePage(w http.ResponseWriter, r *http.Request, status int, need *service.PurposeNeeded, base string, f *Form) error {
	ps, err := h.reports.Purposes(r.Context())
	if err != nil {
		return err
	}
	opts := make([]Option, len(ps))
	for i, p := range ps {
		opts[i] = Option{Value: p.Code, Label: p.Name}
	}
	back := "/ocgs"
	if base == "/people/" {
		back = "/search"
	}
	p := h.newPage(r, "Why are you opening this record?", "/ocgs")
	p.Errors = f.Summary()
	p.Data = registerPurposeData{Need: need, Form: f, Purposes: opts, Action: base + need.ID + "/purpose", Back: back, Next: safeNext(f.Get("next"))}
	return h.render(w, r, status, "ocg_purpose", p)
}

func (h *Web) registerPurpose(base string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := parseForm(w, r); err != nil {
			return err
		}
		f := NewForm(r.PostForm)
		id := r.PathValue("id")
		a := router.ActorFrom(r.Context())
		err := h.register.GivePurpose(r.Context(), a, id, f.Get("purpose"), f.Get("detail"))
		if f.FailAll(err) {
			var verr error
			if base == "/ocgs/" {
				_, verr = h.register.Group(r.Context(), a, id)
			} else {
				_, verr = h.register.Entity(r.Context(), a, id)
			}
			var need *service.PurposeNeeded
			if errors.As(verr, &need) {
				return h.registerPurposePage(w, r, http.StatusUnprocessableEntity, need, base, f)
			}
			return verr
		}
		if err != nil {
			return err
		}
		next := base + id
		if n := safeNext(f.Get("next")); strings.HasPrefix(n, base+id) {
			next = n
		}
		http.Redirect(w, r, next, http.StatusSeeOther)
		return nil
	}
}

// ----- Lifecycle steps -----

type transitionData struct {
	OCG     domain.OCG
	To      domain.OCGStatus
	Label   string
	Form    *Form
	LRO     []Option
	SRO     []Option
	Reasons []Option
}

func userOptions(users []domain.User, blank string) []Option {
	opts := []Option{{Value: "", Label: blank}}
	for _, u := range users {
		opts = append(opts, Option{Value: u.ID, Label: u.DisplayName + " (" + u.AgencyName + ")"})
	}
	return opts
}

func (h *Web) transitionPage(w http.ResponseWriter, r *http.Request, status int, v service.GroupView, to domain.OCGStatus, f *Form) error {
	if !v.CanEdit || !slices.Contains(v.Next, to) {
		return domain.NotFound("step", string(to))
	}
	d := transitionData{OCG: v.OCG, To: to, Label: stepLabel(v.OCG.Status, to), Form: f}
	if to == domain.StatusAdopted {
		users, err := h.register.Users(r.Context(), router.ActorFrom(r.Context()))
		if err != nil {
			return err
		}
		d.LRO = selectOptions(userOptions(users, "Choose the lead responsible officer"), f.Get("lro"))
		d.SRO = selectOptions(userOptions(users, "Choose the senior responsible officer"), f.Get("sro"))
	}
	for _, reason := range domain.ArchiveReasons {
		d.Reasons = append(d.Reasons, Option{Value: string(reason), Label: reason.Label()})
	}
	p := h.newPage(r, d.Label+": "+v.OCG.Reference, "/ocgs")
	p.Breadcrumbs = []view.Crumb{{Label: "Home", Href: "/"}, {Label: "Groups", Href: "/ocgs"}, {Label: v.OCG.Reference, Href: "/ocgs/" + v.OCG.ID}}
	p.Errors = f.Summary()
	p.Data = d
	return h.render(w, r, status, "ocg_transition", p)
}

func (h *Web) ocgTransitionForm(w http.ResponseWriter, r *http.Request) error {
	v, handled, err := h.group(w, r)
	if handled || err != nil {
		return err
	}
	to, ok := domain.ParseOCGStatus(r.URL.Query().Get("to"))
	if !ok {
		return domain.NotFound("step", "")
	}
	o := v.OCG
	f := NewForm(url.Values{"to": {string(to)}, "lro": {o.LROUserID}, "sro": {o.SROUserID}, "review_due": {inputDay(o.ReviewDue)}})
	return h.transitionPage(w, r, http.StatusOK, v, to, f)
}

func (h *Web) ocgTransition(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	f := NewForm(r.PostForm)
	a := router.ActorFrom(r.Context())
	to, _ := domain.ParseOCGStatus(f.Get("to"))
	in := domain.TransitionInput{To: to, DecidedOn: f.Get("decided_on"), Decision: f.Get("decision"), Note: f.Get("note"),
		LROUserID: f.Get("lro"), SROUserID: f.Get("sro"), ReviewDue: f.Get("review_due"), ArchiveReason: f.Get("archive_reason"), Rationale: f.Get("rationale")}
	o, err := h.register.Transition(r.Context(), a, r.PathValue("id"), in)
	if errors.Is(err, domain.ErrConflict) {
		// A stale form, or another request moved the group first: its
		// page shows where it is now.
		http.Redirect(w, r, "/ocgs/"+r.PathValue("id"), http.StatusSeeOther)
		return nil
	}
	if f.FailAll(err) {
		v, handled, gerr := h.group(w, r)
		if handled || gerr != nil {
			return gerr
		}
		if !slices.Contains(v.Next, to) {
			// A stale form: the group has moved on. Its page shows where it is.
			http.Redirect(w, r, "/ocgs/"+v.OCG.ID, http.StatusSeeOther)
			return nil
		}
		return h.transitionPage(w, r, http.StatusUnprocessableEntity, v, to, f)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/ocgs/"+o.ID, http.StatusSeeOther)
	return nil
}

// ----- Members, people, links -----

type memberFormData struct {
	OCG   domain.OCG
	Form  *Form
	Flags []Option
}

func (h *Web) flagOptions(ctx context.Context, f *Form) ([]Option, error) {
	types, err := h.register.FlagTypes(ctx)
	if err != nil {
		return nil, err
	}
	opts := make([]Option, len(types))
	for i, t := range types {
		opts[i] = Option{Value: t.Code, Label: t.Name, Checked: f.Has("flags", t.Code)}
	}
	return opts, nil
}

func (h *Web) memberPage(w http.ResponseWriter, r *http.Request, status int, v service.GroupView, f *Form) error {
	if !v.CanPlan {
		return domain.ErrForbidden
	}
	flags, err := h.flagOptions(r.Context(), f)
	if err != nil {
		return err
	}
	p := h.newPage(r, "Add a member: "+v.OCG.Reference, "/ocgs")
	p.Breadcrumbs = []view.Crumb{{Label: "Home", Href: "/"}, {Label: "Groups", Href: "/ocgs"}, {Label: v.OCG.Reference, Href: "/ocgs/" + v.OCG.ID}}
	p.Errors = f.Summary()
	p.Data = memberFormData{OCG: v.OCG, Form: f, Flags: flags}
	return h.render(w, r, status, "ocg_member_new", p)
}

func (h *Web) ocgMemberNew(w http.ResponseWriter, r *http.Request) error {
	v, handled, err := h.group(w, r)
	if handled || err != nil {
		return err
	}
	return h.memberPage(w, r, http.StatusOK, v, NewForm(url.Values{"who": {"new"}, "confidence": {"medium"}}))
}

func personInput(f *Form) service.PersonInput {
	return service.PersonInput{Kind: f.Get("kind"), Name: f.Get("name"), Aliases: lines(f.Get("aliases")), Nicknames: lines(f.Get("nicknames")),
		DOB: f.Get("dob"), Gender: f.Get("gender"), Identifier: f.Get("identifier"), Detail: f.Get("detail"), Flags: f.Values["flags"]}
}

// lines splits a textarea into its non-blank lines.
func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

func (h *Web) ocgMemberCreate(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	f := NewForm(r.PostForm)
	ctx := r.Context()
	a := router.ActorFrom(ctx)
	id := r.PathValue("id")
	in := service.MemberInput{Role: f.Get("role"), From: f.Get("from"), SourceRef: f.Get("source_ref"), Confidence: f.Get("confidence")}
	var err error
	switch f.Get("who") {
	case "existing":
		ref, rerr := h.register.Resolve(ctx, a, f.Get("person"))
		switch {
		case f.Get("person") == "":
			f.Fail("person", "Enter the person's reference, like P-000123")
		case rerr != nil || ref.Kind != domain.NodeEntity || ref.Entity != domain.EntityPerson:
			f.Fail("person", "There is no person you can see with reference "+f.Get("person"))
		default:
			in.PersonID = ref.ID
		}
	case "new":
		in.Person = personInput(f)
		in.Person.Kind = string(domain.EntityPerson)
	default:
		f.Fail("who", "Choose an existing person or a new person")
	}
	if f.OK() {
		_, err = h.register.AddMember(ctx, a, id, in)
		if err == nil {
			http.Redirect(w, r, "/ocgs/"+id+"#members", http.StatusSeeOther)
			return nil
		}
	}
	if f.OK() && !f.FailAll(err) {
		return err
	}
	v, handled, gerr := h.group(w, r)
	if handled || gerr != nil {
		return gerr
	}
	return h.memberPage(w, r, http.StatusUnprocessableEntity, v, f)
}

type entityData struct {
	service.EntityView
	FlagNames []string
	Far       []farLink
	CanLink   bool
}

// farLink is a link seen from one end: what it says and where it leads.
type farLink struct {
	Link     domain.Link
	Outgoing bool // this record is the link's from end
	Href     string
	Name     string
}

func farLinks(id string, links []domain.Link) []farLink {
	out := make([]farLink, 0, len(links))
	for _, l := range links {
		fl := farLink{Link: l}
		if l.FromID == id {
			fl.Outgoing, fl.Href, fl.Name = true, nodeHref(l.ToKind, l.ToID), l.ToName
		} else {
			fl.Href, fl.Name = nodeHref(l.FromKind, l.FromID), l.FromName
		}
		out = append(out, fl)
	}
	return out
}

func (h *Web) entityShow(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	a := router.ActorFrom(ctx)
	v, err := h.register.Entity(ctx, a, r.PathValue("id"))
	var need *service.PurposeNeeded
	if errors.As(err, &need) {
		return h.registerPurposePage(w, r, http.StatusOK, need, "/people/", NewForm(nil))
	}
	if err != nil {
		return err
	}
	d := entityData{EntityView: v, Far: farLinks(v.Entity.ID, v.Links), CanLink: h.register.Allowed(ctx, a, authz.Create, domain.KindEntity)}
	if len(v.Entity.Flags) > 0 {
		types, err := h.register.FlagTypes(ctx)
		if err != nil {
			return err
		}
		for _, t := range types {
			if slices.Contains(v.Entity.Flags, t.Code) {
				d.FlagNames = append(d.FlagNames, t.Name)
			}
		}
	}
	e := v.Entity
	p := h.newPage(r, e.Reference+": "+e.Name, "/ocgs")
	p.Breadcrumbs = []view.Crumb{{Label: "Home", Href: "/"}, {Label: "Groups", Href: "/ocgs"}}
	p.Data = d
	return h.render(w, r, http.StatusOK, "entity", p)
}

type entityFormData struct {
	Form     *Form
	Kinds    []Option
	Flags    []Option
	Agencies []domain.Agency
	Types    []domain.AgencyTypeInfo
}

func (h *Web) entityFormPage(w http.ResponseWriter, r *http.Request, status int, f *Form) error {
	ctx := r.Context()
	a := router.ActorFrom(ctx)
	if !h.register.Allowed(ctx, a, authz.Create, domain.KindEntity) {
		return domain.ErrForbidden
	}
	flags, err := h.flagOptions(ctx, f)
	if err != nil {
		return err
	}
	ags, err := h.admin.Agencies(ctx, a)
	if err != nil {
		return err
	}
	types, err := h.svc.AgencyTypes(ctx)
	if err != nil {
		return err
	}
	kinds := make([]Option, len(domain.EntityKinds))
	for i, k := range domain.EntityKinds {
		kinds[i] = Option{Value: string(k), Label: k.Label()}
	}
	p := h.newPage(r, "Add a person or other record", "/ocgs")
	p.Breadcrumbs = []view.Crumb{{Label: "Home", Href: "/"}, {Label: "Groups", Href: "/ocgs"}}
	p.Errors = f.Summary()
	p.Data = entityFormData{Form: f, Kinds: kinds, Flags: flags, Agencies: ags, Types: types}
	return h.render(w, r, status, "entity_new", p)
}

func (h *Web) entityNew(w http.ResponseWriter, r *http.Request) error {
	kind := r.URL.Query().Get("kind")
	if _, ok := domain.ParseEntityKind(kind); !ok {
		kind = string(domain.EntityPerson)
	}
	return h.entityFormPage(w, r, http.StatusOK, NewForm(url.Values{"kind": {kind}, "classification": {"OFFICIAL-SENSITIVE"}, "handling": {"P"}, "restricted": {"no"}}))
}

func (h *Web) entityCreate(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	f := NewForm(r.PostForm)
	in := personInput(f)
	in.Marking = markingInput(f)
	e, err := h.register.AddEntity(r.Context(), router.ActorFrom(r.Context()), in)
	if f.FailAll(err) {
		return h.entityFormPage(w, r, http.StatusUnprocessableEntity, f)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/people/"+e.ID, http.StatusSeeOther)
	return nil
}

type linkFormData struct {
	Form  *Form
	From  service.NodeRef
	Back  string
	Types []Option
	Roles []Option
}

func (h *Web) linkFormPage(w http.ResponseWriter, r *http.Request, status int, f *Form) error {
	ctx := r.Context()
	a := router.ActorFrom(ctx)
	if !h.register.Allowed(ctx, a, authz.Create, domain.KindEntity) {
		return domain.ErrForbidden
	}
	from, err := h.register.Resolve(ctx, a, f.Get("from"))
	if err != nil {
		return err
	}
	types := []Option{{Value: "", Label: "Choose the kind of link"}}
	for _, t := range domain.LinkTypes {
		types = append(types, Option{Value: string(t), Label: t.Label()})
	}
	var roles []Option
	for _, role := range domain.MemberRoles {
		roles = append(roles, Option{Value: string(role), Label: role.Label()})
	}
	p := h.newPage(r, "Add a link from "+from.Reference, "/ocgs")
	p.Breadcrumbs = []view.Crumb{{Label: "Home", Href: "/"}, {Label: "Groups", Href: "/ocgs"}, {Label: from.Reference, Href: nodeHref(from.Kind, from.ID)}}
	p.Errors = f.Summary()
	p.Data = linkFormData{Form: f, From: from, Back: nodeHref(from.Kind, from.ID), Types: selectOptions(types, f.Get("type")), Roles: roles}
	return h.render(w, r, status, "link_new", p)
}

func (h *Web) linkNew(w http.ResponseWriter, r *http.Request) error {
	return h.linkFormPage(w, r, http.StatusOK, NewForm(url.Values{"from": {r.URL.Query().Get("from")}, "confidence": {"medium"}}))
}

func (h *Web) linkCreate(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	f := NewForm(r.PostForm)
	ctx := r.Context()
	a := router.ActorFrom(ctx)
	from, err := h.register.Resolve(ctx, a, f.Get("from"))
	if err != nil {
		return err
	}
	in := service.LinkInput{FromID: from.ID, Type: f.Get("type"), Role: f.Get("role"), From: f.Get("valid_from"), To: f.Get("valid_to"),
		SourceRef: f.Get("source_ref"), Confidence: f.Get("confidence"), Note: f.Get("note")}
	to, rerr := h.register.Resolve(ctx, a, f.Get("to"))
	switch {
	case f.Get("to") == "":
		f.Fail("to", "Enter the reference of the record to link to, like P-000123 or OCG-2026-0001")
	case rerr != nil:
		f.Fail("to", "There is no record you can see with reference "+f.Get("to"))
	default:
		in.ToID = to.ID
	}
	if f.OK() {
		_, err = h.register.Link(ctx, a, in)
		if err == nil {
			http.Redirect(w, r, nodeHref(from.Kind, from.ID), http.StatusSeeOther)
			return nil
		}
		if !f.FailAll(err) {
			return err
		}
	}
	return h.linkFormPage(w, r, http.StatusUnprocessableEntity, f)
}

// ----- The 4P plan -----

type planData struct {
	OCG       domain.OCG
	Plan      *domain.Plan
	Form      *Form
	Strands   []strandActions
	Overdue   bool
	Statuses  []Option
	HasPlan   bool
	ActionURL string
}

func (h *Web) planPage(w http.ResponseWriter, r *http.Request, status int, v service.GroupView, f *Form) error {
	if !v.CanPlan {
		return domain.ErrForbidden
	}
	d := planData{OCG: v.OCG, Plan: v.Plan, Form: f, HasPlan: v.Plan != nil,
		Statuses: []Option{{Value: string(domain.PlanDraft), Label: "Draft"}, {Value: string(domain.PlanActive), Label: "Active"},
			{Value: string(domain.PlanUnderReview), Label: "Under review"}}}
	if v.Plan != nil {
		d.Overdue = v.Plan.Overdue(domain.UKDay(time.Now()))
		for _, s := range domain.FourPs {
			sa := strandActions{Strand: s}
			for _, act := range v.Plan.Actions {
				if act.Strand == s {
					sa.Actions = append(sa.Actions, act)
				}
			}
			d.Strands = append(d.Strands, sa)
		}
	}
	p := h.newPage(r, "4P plan: "+v.OCG.Reference, "/ocgs")
	p.Breadcrumbs = []view.Crumb{{Label: "Home", Href: "/"}, {Label: "Groups", Href: "/ocgs"}, {Label: v.OCG.Reference, Href: "/ocgs/" + v.OCG.ID}}
	p.Errors = f.Summary()
	p.Data = d
	return h.render(w, r, status, "plan", p)
}

func (h *Web) planForm(w http.ResponseWriter, r *http.Request) error {
	v, handled, err := h.group(w, r)
	if handled || err != nil {
		return err
	}
	f := NewForm(url.Values{"status": {string(domain.PlanActive)}})
	if v.Plan != nil {
		f = NewForm(url.Values{"objectives": {v.Plan.Objectives}, "review_due": {inputDay(&v.Plan.ReviewDue)}, "status": {string(v.Plan.Status)}})
	} else if v.OCG.ReviewDue != nil {
		f.Values.Set("review_due", inputDay(v.OCG.ReviewDue))
	}
	return h.planPage(w, r, http.StatusOK, v, f)
}

func (h *Web) planSave(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	f := NewForm(r.PostForm)
	id := r.PathValue("id")
	_, err := h.register.SavePlan(r.Context(), router.ActorFrom(r.Context()), id,
		service.PlanInput{Objectives: f.Get("objectives"), ReviewDue: f.Get("review_due"), Status: f.Get("status")}, f.Get("new_version") == "yes")
	if f.FailAll(err) {
		v, handled, gerr := h.group(w, r)
		if handled || gerr != nil {
			return gerr
		}
		return h.planPage(w, r, http.StatusUnprocessableEntity, v, f)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/ocgs/"+id+"/plan", http.StatusSeeOther)
	return nil
}

type actionFormData struct {
	OCG      domain.OCG
	Action   *domain.PlanAction // nil when adding
	Form     *Form
	Strands  []Option
	Agencies []Option
	Statuses []Option
}

func (h *Web) actionPage(w http.ResponseWriter, r *http.Request, status int, v service.GroupView, act *domain.PlanAction, f *Form) error {
	if !v.CanPlan || v.Plan == nil {
		return domain.ErrForbidden
	}
	a := router.ActorFrom(r.Context())
	ags, err := h.admin.Agencies(r.Context(), a)
	if err != nil {
		return err
	}
	d := actionFormData{OCG: v.OCG, Action: act, Form: f,
		Agencies: selectOptions(append([]Option{{Value: "", Label: "Choose the agency"}}, agencyOptions(ags)...), f.Get("owner_agency"))}
	for _, s := range domain.FourPs {
		d.Strands = append(d.Strands, Option{Value: string(s), Label: s.Label()})
	}
	for _, s := range domain.ActionStatuses {
		d.Statuses = append(d.Statuses, Option{Value: string(s), Label: s.Label()})
	}
	title, page := "Add a 4P action: "+v.OCG.Reference, "plan_action_new"
	if act != nil {
		title, page = "Update a 4P action: "+v.OCG.Reference, "plan_action"
	}
	p := h.newPage(r, title, "/ocgs")
	p.Breadcrumbs = []view.Crumb{{Label: "Home", Href: "/"}, {Label: "Groups", Href: "/ocgs"}, {Label: v.OCG.Reference, Href: "/ocgs/" + v.OCG.ID},
		{Label: "4P plan", Href: "/ocgs/" + v.OCG.ID + "/plan"}}
	p.Errors = f.Summary()
	p.Data = d
	return h.render(w, r, status, page, p)
}

func (h *Web) planActionNew(w http.ResponseWriter, r *http.Request) error {
	v, handled, err := h.group(w, r)
	if handled || err != nil {
		return err
	}
	return h.actionPage(w, r, http.StatusOK, v, nil, NewForm(url.Values{"strand": {r.URL.Query().Get("strand")}, "status": {string(domain.ActionNotStarted)}}))
}

func (h *Web) planActionCreate(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	f := NewForm(r.PostForm)
	id := r.PathValue("id")
	_, err := h.register.AddAction(r.Context(), router.ActorFrom(r.Context()), id, service.ActionInput{Strand: f.Get("strand"),
		Description: f.Get("description"), OwnerAgencyID: f.Get("owner_agency"), OwnerName: f.Get("owner_name"), DueOn: f.Get("due_on"),
		Status: f.Get("status"), Outcome: f.Get("outcome")})
	if f.FailAll(err) {
		v, handled, gerr := h.group(w, r)
		if handled || gerr != nil {
			return gerr
		}
		return h.actionPage(w, r, http.StatusUnprocessableEntity, v, nil, f)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/ocgs/"+id+"/plan", http.StatusSeeOther)
	return nil
}

// planAction finds action id on the group's current plan.
func planAction(v service.GroupView, id string) (*domain.PlanAction, error) {
	if v.Plan != nil {
		for i := range v.Plan.Actions {
			if v.Plan.Actions[i].ID == id {
				return &v.Plan.Actions[i], nil
			}
		}
	}
	return nil, domain.NotFound("action", id)
}

func (h *Web) planActionForm(w http.ResponseWriter, r *http.Request) error {
	v, handled, err := h.group(w, r)
	if handled || err != nil {
		return err
	}
	act, err := planAction(v, r.PathValue("action"))
	if err != nil {
		return err
	}
	return h.actionPage(w, r, http.StatusOK, v, act, NewForm(url.Values{"status": {string(act.Status)}, "outcome": {act.Outcome}}))
}

func (h *Web) planActionUpdate(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	f := NewForm(r.PostForm)
	id := r.PathValue("id")
	err := h.register.UpdateAction(r.Context(), router.ActorFrom(r.Context()), id, r.PathValue("action"), f.Get("status"), f.Get("outcome"))
	if f.FailAll(err) {
		v, handled, gerr := h.group(w, r)
		if handled || gerr != nil {
			return gerr
		}
		act, aerr := planAction(v, r.PathValue("action"))
		if aerr != nil {
			return aerr
		}
		return h.actionPage(w, r, http.StatusUnprocessableEntity, v, act, f)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/ocgs/"+id+"/plan", http.StatusSeeOther)
	return nil
}
