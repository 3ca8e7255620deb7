package service

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"alliance/internal/audit"
	"alliance/internal/authz"
	"alliance/internal/domain"
	"alliance/internal/store"
)

// checkOCGInput validates the descriptive fields of a group, adding
// problems to verr, and fills o.
func (g *Register) checkOCGInput(ctx context.Context, a domain.Actor, in domain.OCGInput, o *domain.OCG, verr *domain.ValidationError) error {
	o.Name = strings.TrimSpace(in.Name)
	o.OperationName = strings.TrimSpace(in.OperationName)
	o.Summary = strings.TrimSpace(in.Summary)
	switch n := utf8.RuneCountInString(o.Name); {
	case n == 0:
		verr.Add("name", "Enter the group's name")
	case n > 200:
		verr.Add("name", "Name must be 200 characters or fewer")
	}
	if utf8.RuneCountInString(o.OperationName) > 200 {
		verr.Add("operation_name", "Operation name must be 200 characters or fewer")
	}
	if utf8.RuneCountInString(o.Summary) > 20000 {
		verr.Add("summary", "Summary must be 20,000 characters or fewer")
	}
	if l, ok := domain.ParseOwnershipLevel(in.Ownership); ok {
		o.Ownership = l
	} else {
		verr.Add("ownership", "Choose who owns the group: local, regional or national")
	}
	threats, err := g.st.Threats(ctx)
	if err != nil {
		return err
	}
	known := map[string]bool{}
	for _, t := range threats {
		known[t.Code] = true
	}
	o.PrimaryThreat = strings.TrimSpace(in.PrimaryThreat)
	if !known[o.PrimaryThreat] {
		verr.Add("primary_threat", "Choose the main threat from the list")
	}
	o.Threats = nil
	for _, t := range in.Threats {
		if !known[t] {
			verr.Add("threats", "Choose threats from the list")
			break
		}
		o.Threats = appendUnique(o.Threats, t)
	}
	o.HomeUnitID, o.AreaIDs = "", nil
	units, err := g.st.OrgUnits(ctx, a.PartnershipID, "")
	if err != nil {
		return err
	}
	unit := map[string]bool{}
	for _, u := range units {
		unit[u.ID] = true
	}
	if in.HomeUnitID != "" {
		if !unit[in.HomeUnitID] {
			verr.Add("home_unit", "Choose an area of this partnership")
		}
		o.HomeUnitID = in.HomeUnitID
	}
	for _, id := range in.AreaIDs {
		if !unit[id] {
			verr.Add("areas", "Choose areas of this partnership")
			break
		}
		o.AreaIDs = appendUnique(o.AreaIDs, id)
	}
	o.LeadAgencyID = ""
	if in.LeadAgencyID != "" {
		agencies, err := g.st.Agencies(ctx, a.PartnershipID)
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(agencies, func(ag domain.Agency) bool { return ag.ID == in.LeadAgencyID }) {
			verr.Add("lead_agency", "Choose an agency of this partnership")
		}
		o.LeadAgencyID = in.LeadAgencyID
	}
	return nil
}

// Propose records a new group, proposed by a's agency, and its first
// lifecycle step.
func (g *Register) Propose(ctx context.Context, a domain.Actor, in domain.OCGInput) (domain.OCG, error) {
	p, err := g.Policy(ctx)
	if err != nil {
		return domain.OCG{}, err
	}
	if !p.Allowed(a, authz.Create, domain.KindOCG) {
		return domain.OCG{}, domain.ErrForbidden
	}
	verr := &domain.ValidationError{}
	o := domain.OCG{Status: domain.StatusProposed, CreatedBy: a.UserID}
	if err := g.checkOCGInput(ctx, a, in, &o, verr); err != nil {
		return domain.OCG{}, err
	}
	m, err := parseMarking(ctx, g.st, a, in.Marking, verr)
	if err != nil {
		return domain.OCG{}, err
	}
	proposed := g.today()
	if strings.TrimSpace(in.ProposedOn) != "" {
		d, ok := domain.ParseDay(in.ProposedOn)
		switch {
		case !ok:
			verr.Add("proposed_on", "Enter the date the group was proposed, like 22/11/2026")
		case d.After(proposed):
			verr.Add("proposed_on", "The date proposed must be today or in the past")
		default:
			proposed = d
		}
	}
	if err := verr.Err(); err != nil {
		return domain.OCG{}, err
	}
	o.Marking, o.HandlingNote = m, strings.TrimSpace(in.Marking.HandlingNote)
	if err := p.Can(a, authz.Create, domain.KindOCG, m); err != nil {
		return domain.OCG{}, err
	}
	err = g.st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		o.ID, o.Reference = "", ""
		if err := g.st.InsertOCG(ctx, tx, &o); err != nil {
			return err
		}
		if err := g.st.InsertTransition(ctx, tx, a.PartnershipID, &domain.Transition{OCGID: o.ID, From: "", To: domain.StatusProposed,
			DecidedOn: proposed, Note: "Proposed", ActorID: a.UserID}); err != nil {
			return err
		}
		_, err := g.alog.Append(ctx, tx, a, audit.MetaFrom(ctx), audit.Entry{Operation: audit.Collection, RecordType: string(domain.KindOCG),
			RecordIDs: []string{o.ID}, Label: o.Reference})
		return err
	})
	return o, err
}

// Update changes a group's descriptive fields. Only the originating
// agency's analysts (policy Edit) may.
func (g *Register) Update(ctx context.Context, a domain.Actor, id string, in domain.OCGInput) (domain.OCG, error) {
	p, err := g.Policy(ctx)
	if err != nil {
		return domain.OCG{}, err
	}
	o, err := g.st.NewOCGQuery(p, a, authz.View).WithID(id).One(ctx)
	if err != nil {
		return domain.OCG{}, err
	}
	if err := p.Can(a, authz.Edit, domain.KindOCG, o.Marking); err != nil {
		return domain.OCG{}, err
	}
	verr := &domain.ValidationError{}
	if err := g.checkOCGInput(ctx, a, in, &o, verr); err != nil {
		return domain.OCG{}, err
	}
	if err := verr.Err(); err != nil {
		return domain.OCG{}, err
	}
	err = g.st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := g.st.UpdateOCG(ctx, tx, &o, o.Status); err != nil {
			return err
		}
		_, err := g.alog.Append(ctx, tx, a, audit.MetaFrom(ctx), audit.Entry{Operation: audit.Alteration, RecordType: string(domain.KindOCG),
			RecordIDs: []string{o.ID}, Label: o.Reference})
		return err
	})
	return o, err
}

// GroupFilter narrows the register list.
type GroupFilter struct {
	Status string // a status code, "active" (mapped, adopted or managed), or "" for all but archived
	Threat string
	Text   string
	Sort   string // "score" (default) or "name"
}

// GroupPage is one page of the register.
type GroupPage struct {
	Items       []domain.OCG
	Total       int
	Page, Pages int
	PerPage     int
	Filter      GroupFilter
	// CanPropose: the viewer may propose (and so import) groups;
	// CanExport: the viewer may export groups.
	CanPropose, CanExport bool
}

func (f GroupFilter) apply(q *store.OCGQuery) *store.OCGQuery {
	switch f.Status {
	case "":
		q.Where("o.status <> 'archived'")
	case "all":
	case "active":
		q.WithStatuses(domain.StatusMapped, domain.StatusAdopted, domain.StatusManaged)
	default:
		if st, ok := domain.ParseOCGStatus(f.Status); ok {
			q.WithStatuses(st)
		} else {
			q.Where("1 = 0")
		}
	}
	q.WithThreat(f.Threat).WithText(f.Text)
	if f.Sort == "name" {
		return q.ByName()
	}
	return q.ByScore()
}

// Groups returns page (from 1) of the groups a may see, ranked by score
// unless asked otherwise, and logs the consultation of what it shows.
func (g *Register) Groups(ctx context.Context, a domain.Actor, f GroupFilter, page, perPage int) (GroupPage, error) {
	p, err := g.Policy(ctx)
	if err != nil {
		return GroupPage{}, err
	}
	act := authz.List
	if strings.TrimSpace(f.Text) != "" {
		act = authz.Search
	}
	if !p.Allowed(a, act, domain.KindOCG) {
		return GroupPage{}, domain.ErrForbidden
	}
	why, err := listPurpose(a, "List of organised crime groups")
	if err != nil {
		return GroupPage{}, err
	}
	if perPage <= 0 || perPage > 100 {
		perPage = 25
	}
	page = max(page, 1)
	total, err := f.apply(g.st.NewOCGQuery(p, a, act)).Count(ctx)
	if err != nil {
		return GroupPage{}, err
	}
	items, err := f.apply(g.st.NewOCGQuery(p, a, act)).List(ctx, perPage, (page-1)*perPage)
	if err != nil {
		return GroupPage{}, err
	}
	if err := g.logConsultation(ctx, a, domain.KindOCG, ocgIDs(items), fmt.Sprintf("page %d", page), why); err != nil {
		return GroupPage{}, err
	}
	return GroupPage{Items: items, Total: total, Page: page, Pages: max((total+perPage-1)/perPage, 1), PerPage: perPage, Filter: f,
		CanPropose: p.Allowed(a, authz.Create, domain.KindOCG), CanExport: p.Allowed(a, authz.Export, domain.KindOCG)}, nil
}

func ocgIDs(list []domain.OCG) []string {
	ids := make([]string, len(list))
	for i, o := range list {
		ids[i] = o.ID
	}
	return ids
}

// GroupView is everything the group page shows.
type GroupView struct {
	OCG         domain.OCG
	Members     []domain.Member
	Links       []domain.Link
	Transitions []domain.Transition
	Plan        *domain.Plan
	// What else the viewer may do, decided by the policy: edit the group,
	// keep its plan and members, score it.
	CanEdit, CanPlan, CanScore bool
	Next                       []domain.OCGStatus
}

// Group returns the group with id and what hangs off it, if a may see it
// (not found otherwise), logging the consultation of the group and of the
// members shown. Someone who did not propose the group must give a purpose
// once per session (see GivePurpose), else Group returns *PurposeNeeded and
// logs nothing.
func (g *Register) Group(ctx context.Context, a domain.Actor, id string) (GroupView, error) {
	p, err := g.Policy(ctx)
	if err != nil {
		return GroupView{}, err
	}
	rl := readLog{st: g.st, alog: g.alog}
	isa, system, err := rl.systemRead(ctx, a)
	if err != nil {
		return GroupView{}, err
	}
	o, err := g.st.NewOCGQuery(p, a, authz.View).WithID(id).One(ctx)
	if err != nil {
		return GroupView{}, err
	}
	why, err := g.purpose(ctx, a, o.ID, o.CreatedBy, o.Reference, o.Title())
	if err != nil {
		return GroupView{}, err
	}
	v := GroupView{OCG: o, Next: o.Status.NextStates()}
	if v.Members, err = g.st.Members(ctx, p, a, o.ID); err != nil {
		return GroupView{}, err
	}
	if v.Links, err = g.st.LinksOf(ctx, p, a, o.ID); err != nil {
		return GroupView{}, err
	}
	if v.Transitions, err = g.st.Transitions(ctx, o.ID); err != nil {
		return GroupView{}, err
	}
	plan, err := g.st.CurrentPlan(ctx, o.ID)
	switch {
	case err == nil:
		v.Plan = &plan
	case !errors.Is(err, domain.ErrNotFound):
		return GroupView{}, err
	}
	v.CanEdit = p.Can(a, authz.Edit, domain.KindOCG, o.Marking) == nil
	v.CanPlan = g.mayPlan(p, a, o)
	v.CanScore = mayAssess(p, a, o)
	people := make([]string, len(v.Members))
	for i, m := range v.Members {
		people[i] = m.Person.ID
	}
	linked := linkedIDs(v.Links, o.ID, people)
	err = g.st.InGroupTx(ctx, a.PartnershipID, func(ctx context.Context, tx *sql.Tx) error {
		if err := rl.append(ctx, tx, a, audit.Entry{Operation: audit.Consultation, RecordType: string(domain.KindOCG),
			RecordIDs: []string{o.ID}, Label: o.Reference, Justification: why}, isa, system); err != nil {
			return err
		}
		if len(people) > 0 {
			if err := rl.append(ctx, tx, a, audit.Entry{Operation: audit.Consultation, RecordType: string(domain.KindEntity),
				RecordIDs: people, Label: "members of " + o.Reference, Justification: why}, isa, system); err != nil {
				return err
			}
		}
		return g.logLinked(ctx, tx, rl, a, linked, "linked to "+o.Reference, why, isa, system)
	})
	if err != nil {
		return GroupView{}, err
	}
	return v, nil
}

// keptGroup returns the group with id if a may see it (not found
// otherwise) and may keep its plan, members and links (ErrForbidden
// otherwise; see mayPlan), with the policy it was decided under.
func (g *Register) keptGroup(ctx context.Context, a domain.Actor, id string) (authz.Policy, domain.OCG, error) {
	p, err := g.Policy(ctx)
	if err != nil {
		return p, domain.OCG{}, err
	}
	o, err := g.st.NewOCGQuery(p, a, authz.View).WithID(id).One(ctx)
	if err != nil {
		return p, domain.OCG{}, err
	}
	if !g.mayPlan(p, a, o) {
		return p, domain.OCG{}, domain.ErrForbidden
	}
	return p, o, nil
}

// mayPlan reports whether a may keep o's 4P plan: the originating agency's
// analysts (policy Edit) or the group's LRO or SRO, who may be from any
// agency, as long as they can see the group and hold write on groups.
func (g *Register) mayPlan(p authz.Policy, a domain.Actor, o domain.OCG) bool {
	if o.Status == domain.StatusArchived {
		return false
	}
	if p.Can(a, authz.Edit, domain.KindOCG, o.Marking) == nil {
		return true
	}
	return (a.UserID == o.LROUserID || a.UserID == o.SROUserID) && p.Allowed(a, authz.Edit, domain.KindOCG)
}
