package web

import (
	"context"
	"errors"
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

type ocgListData struct {
	service.GroupPage
	Form       *Form
	Statuses   []Option
	Threats    []Option
	Prev, Next string
	// Today is the UK day, against which reviews are overdue.
	Today time.Time
}

// needsLRO reports whether a group in status s should have a lead
// responsible officer: once adopted, until archived.
func needsLRO(s domain.OCGStatus) bool { return s == domain.StatusAdopted || s == domain.StatusManaged }

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
	d := ocgListData{GroupPage: res, Form: NewForm(q), Statuses: statusFilterOptions(f.Status), Threats: threatOptions(threats, f.Threat, "Any threat"),
		Today: domain.UKDay(time.Now())}
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
	seeOther(w, r, "/ocgs/"+o.ID)
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
	seeOther(w, r, "/ocgs/"+o.ID)
	return nil
}

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
	// Reports are the information reports linked to the group that the
	// viewer may see.
	Reports     []domain.InfoReport
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

// ocgShow shows a group's page.
func (h *Web) ocgShow(w http.ResponseWriter, r *http.Request) error {
	v, handled, err := h.group(w, r)
	if handled || err != nil {
		return err
	}
	ctx := r.Context()
	a := router.ActorFrom(ctx)
	o := v.OCG
	d := newOCGData(v, domain.UKDay(time.Now()))
	d.CanLink = v.CanPlan && h.register.Allowed(ctx, a, authz.Create, domain.KindEntity)
	if d.ThreatNames, d.AreaNames, err = h.groupNames(ctx, o); err != nil {
		return err
	}
	if d.Disruptions, err = h.disruptions.ForGroup(ctx, a, o.ID); err != nil {
		return err
	}
	if d.Reports, err = h.reports.About(ctx, a, o.ID); err != nil {
		return err
	}
	p := h.newPage(r, o.Reference+": "+o.Title(), "/ocgs")
	p.Breadcrumbs = []view.Crumb{{Label: "Home", Href: "/"}, {Label: "Groups", Href: "/ocgs"}}
	p.Data = d
	return h.render(w, r, http.StatusOK, "ocg", p)
}

// newOCGData arranges the group view v for its page on day today: its
// current members by role, its former members, its other links, its plan
// by strand, whether its plan or review is overdue and the steps its
// editor may take next.
func newOCGData(v service.GroupView, today time.Time) ocgData {
	o := v.OCG
	d := ocgData{GroupView: v, Today: today, CanScore: v.CanScore}
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
	return d
}

// groupNames are the names of group o's threats and areas, in the order
// the reference data lists them.
func (h *Web) groupNames(ctx context.Context, o domain.OCG) (threatNames, areaNames []string, err error) {
	threats, err := h.register.Threats(ctx)
	if err != nil {
		return nil, nil, err
	}
	for _, t := range threats {
		if slices.Contains(o.Threats, t.Code) {
			threatNames = append(threatNames, t.Name)
		}
	}
	if len(o.AreaIDs) == 0 {
		return threatNames, nil, nil
	}
	part, err := h.currentPartnership(ctx)
	if err != nil {
		return nil, nil, err
	}
	units, err := h.svc.Areas(ctx, part, "")
	if err != nil {
		return nil, nil, err
	}
	for _, u := range units {
		if slices.Contains(o.AreaIDs, u.ID) {
			areaNames = append(areaNames, u.Name)
		}
	}
	return threatNames, areaNames, nil
}
