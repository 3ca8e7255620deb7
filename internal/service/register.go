package service

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"alliance/internal/audit"
	"alliance/internal/authz"
	"alliance/internal/domain"
	"alliance/internal/match"
	"alliance/internal/store"
)

// Register is the OCG register use case: propose, edit and read groups,
// move them through their lifecycle, keep their members and links, and
// keep their 4P plans. Every read goes through the scoped store queries
// and is logged as a consultation; every write is audited in its own
// transaction.
type Register struct {
	policyUser
	st   *store.Store
	log  *slog.Logger
	alog *audit.Log
}

// NewRegister returns the service. Collection, alteration, consultation
// and combination are written to alog.
func NewRegister(st *store.Store, log *slog.Logger, alog *audit.Log) *Register {
	if log == nil {
		log = slog.Default()
	}
	return &Register{st: st, log: log, alog: alog}
}

// Policy returns the access policy built from the current role permissions.
func (g *Register) Policy(ctx context.Context) (authz.Policy, error) {
	return g.policyOf(ctx, g.st)
}

// Allowed reports whether a may do act to records of kind at all.
func (g *Register) Allowed(ctx context.Context, a domain.Actor, act authz.Action, kind domain.RecordKind) bool {
	p, err := g.Policy(ctx)
	return err == nil && p.Allowed(a, act, kind)
}

// Threats lists the threat reference data.
func (g *Register) Threats(ctx context.Context) ([]domain.Threat, error) { return g.st.Threats(ctx) }

// FlagTypes lists the flags a person may carry.
func (g *Register) FlagTypes(ctx context.Context) ([]store.FlagType, error) {
	return g.st.PersonFlagTypes(ctx)
}

// today is the store clock's day in the UK (domain.UKDay).
func (g *Register) today() time.Time { return domain.UKDay(g.st.Now()) }

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

// logConsultation records that a was shown records, in its own
// transaction (a disclosure for a partner system, whose agreement must be
// in force even for an empty list). Nothing is logged for an empty list.
func (g *Register) logConsultation(ctx context.Context, a domain.Actor, kind domain.RecordKind, ids []string, label, why string) error {
	rl := readLog{st: g.st, alog: g.alog}
	isa, system, err := rl.systemRead(ctx, a)
	if err != nil || len(ids) == 0 {
		return err
	}
	return g.st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		return rl.append(ctx, tx, a, audit.Entry{Operation: audit.Consultation, RecordType: string(kind),
			RecordIDs: ids, Label: label, Justification: why}, isa, system)
	})
}

// linkedIDs returns the records at the far ends of links from self, by
// kind, leaving out those in skip (already logged).
func linkedIDs(links []domain.Link, self string, skip []string) map[domain.NodeKind][]string {
	out := map[domain.NodeKind][]string{}
	for _, l := range links {
		kind, id := l.ToKind, l.ToID
		if id == self {
			kind, id = l.FromKind, l.FromID
		}
		if id == self || slices.Contains(skip, id) || slices.Contains(out[kind], id) {
			continue
		}
		out[kind] = append(out[kind], id)
	}
	return out
}

// logLinked records the consultation of the records a page names through
// its links, one entry per record type.
func (g *Register) logLinked(ctx context.Context, tx *sql.Tx, rl readLog, a domain.Actor, linked map[domain.NodeKind][]string, label, why string,
	isa domain.ISA, system bool) error {
	for _, k := range []domain.NodeKind{domain.NodeEntity, domain.NodeOCG} {
		if len(linked[k]) == 0 {
			continue
		}
		rt := domain.KindEntity
		if k == domain.NodeOCG {
			rt = domain.KindOCG
		}
		if err := rl.append(ctx, tx, a, audit.Entry{Operation: audit.Consultation, RecordType: string(rt), RecordIDs: linked[k],
			Label: label, Justification: why}, isa, system); err != nil {
			return err
		}
	}
	return nil
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

// purpose returns why a is reading record id (see readPurpose).
func (g *Register) purpose(ctx context.Context, a domain.Actor, id, createdBy, ref, title string) (string, error) {
	return readPurpose(ctx, g.st, a, id, createdBy, ref, title)
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
	err = g.st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
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

// GivePurpose records why a is opening group or entity id, for the rest of
// their session. It checks a may see the record and the purpose is one of
// the list (with an explanation for "other").
func (g *Register) GivePurpose(ctx context.Context, a domain.Actor, id, purpose, detail string) error {
	p, err := g.Policy(ctx)
	if err != nil {
		return err
	}
	if _, err := g.st.NewOCGQuery(p, a, authz.View).WithID(id).One(ctx); err != nil {
		if _, err := g.st.NewEntityQuery(p, a, authz.View).WithID(id).One(ctx); err != nil {
			return err
		}
	}
	return recordPurpose(ctx, g.st, a, id, purpose, detail)
}

// activeUser returns the active user with id in a's partnership.
func (g *Register) activeUser(ctx context.Context, a domain.Actor, id string) (domain.User, error) {
	c, err := g.st.CredentialsByID(ctx, g.st.Reader(), id)
	if err != nil || c.User.PartnershipID != a.PartnershipID || !c.User.Active {
		return domain.User{}, domain.NotFound("user", id)
	}
	return c.User, nil
}

// Transition moves a group to in.To, applying the lifecycle rules: no
// mapping without a score, no adoption without an LRO, an SRO and a
// decision, no archive without a reason, a rationale and a decision. The
// step, who took it, when and the decision behind it are recorded; an
// archived group keeps its members, links, plans and history and stays
// readable.
func (g *Register) Transition(ctx context.Context, a domain.Actor, id string, in domain.TransitionInput) (domain.OCG, error) {
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
	in.Decision, in.Note, in.Rationale = strings.TrimSpace(in.Decision), strings.TrimSpace(in.Note), strings.TrimSpace(in.Rationale)
	if err := domain.CheckTransition(o, in, o.Score != nil); err != nil {
		return domain.OCG{}, err
	}
	verr := &domain.ValidationError{}
	on := g.today()
	if in.DecidedOn != "" {
		on, _ = domain.ParseDay(in.DecidedOn)
		if on.After(g.today()) {
			verr.Add("decided_on", "The decision date must be today or in the past")
		}
	}
	history, err := g.st.Transitions(ctx, o.ID)
	if err != nil {
		return domain.OCG{}, err
	}
	if n := len(history); n > 0 && on.Before(history[n-1].DecidedOn) {
		verr.Add("decided_on", "The decision date cannot be before the group's last step, on %s", domain.FormatUK(history[n-1].DecidedOn))
	}
	if in.LROUserID != "" {
		if _, err := g.activeUser(ctx, a, in.LROUserID); err != nil {
			verr.Add("lro", "Choose an active user of this partnership as lead responsible officer")
		}
	}
	if in.SROUserID != "" {
		if _, err := g.activeUser(ctx, a, in.SROUserID); err != nil {
			verr.Add("sro", "Choose an active user of this partnership as senior responsible officer")
		}
	}
	if utf8.RuneCountInString(in.Rationale) > 5000 || utf8.RuneCountInString(in.Note) > 5000 {
		verr.Add("rationale", "The explanation must be 5,000 characters or fewer")
	}
	if err := verr.Err(); err != nil {
		return domain.OCG{}, err
	}
	from := o.Status
	o.Status = in.To
	switch in.To {
	case domain.StatusAdopted:
		if in.LROUserID != "" {
			o.LROUserID = in.LROUserID
		}
		if in.SROUserID != "" {
			o.SROUserID = in.SROUserID
		}
		if o.AdoptedOn == nil {
			d := on
			o.AdoptedOn = &d
		}
		if in.ReviewDue != "" {
			d, _ := domain.ParseDay(in.ReviewDue)
			o.ReviewDue = &d
		}
	case domain.StatusArchived:
		reason, _ := domain.ParseArchiveReason(in.ArchiveReason)
		d := on
		o.ArchivedOn, o.ArchiveReason, o.ArchiveWhy, o.ArchiveBy = &d, reason, in.Rationale, in.Decision
	case domain.StatusUnderAssessment:
		if from == domain.StatusArchived {
			// Reopened: the archive decision stays in the history only.
			o.ArchivedOn, o.ArchiveReason, o.ArchiveWhy, o.ArchiveBy = nil, "", "", ""
		}
	}
	note := in.Note
	if in.To == domain.StatusArchived {
		note = strings.TrimSpace(o.ArchiveReason.Label() + ". " + in.Rationale)
	}
	err = g.st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := g.st.UpdateOCG(ctx, tx, &o, from); err != nil {
			return err
		}
		if err := g.st.InsertTransition(ctx, tx, a.PartnershipID, &domain.Transition{OCGID: o.ID, From: from, To: in.To, DecidedOn: on,
			Decision: in.Decision, Note: note, ActorID: a.UserID}); err != nil {
			return err
		}
		_, err := g.alog.Append(ctx, tx, a, audit.MetaFrom(ctx), audit.Entry{Operation: audit.Alteration, RecordType: string(domain.KindOCG),
			RecordIDs: []string{o.ID}, Label: o.Reference + ": " + from.Label() + " to " + in.To.Label(),
			Fields: []string{"status"}})
		return err
	})
	return o, err
}

// PersonInput is a new person (or other entity) as a form, API body or
// import row gives it.
type PersonInput struct {
	Kind       string // person when empty
	Name       string
	Aliases    []string
	Nicknames  []string
	DOB        string // UK date
	Gender     string
	Identifier string
	Detail     string
	Flags      []string
	Marking    domain.MarkingInput
}

// checkEntity validates in and returns the entity it describes.
func (g *Register) checkEntity(ctx context.Context, a domain.Actor, in PersonInput, verr *domain.ValidationError) (domain.Entity, error) {
	e := domain.Entity{Kind: domain.EntityPerson, CreatedBy: a.UserID}
	if in.Kind != "" {
		k, ok := domain.ParseEntityKind(in.Kind)
		if !ok {
			verr.Add("kind", "Choose person, business, location, vehicle or phone")
		}
		e.Kind = k
	}
	e.Name = strings.Join(strings.Fields(in.Name), " ")
	switch n := utf8.RuneCountInString(e.Name); {
	case n == 0:
		verr.Add("name", "Enter the name")
	case n > 200:
		verr.Add("name", "Name must be 200 characters or fewer")
	}
	for _, s := range in.Aliases {
		if s = strings.Join(strings.Fields(s), " "); s != "" {
			e.Aliases = appendUnique(e.Aliases, s)
		}
	}
	for _, s := range in.Nicknames {
		if s = strings.Join(strings.Fields(s), " "); s != "" {
			e.Nicknames = appendUnique(e.Nicknames, s)
		}
	}
	if len(e.Aliases)+len(e.Nicknames) > 50 {
		verr.Add("aliases", "Enter 50 aliases and nicknames or fewer")
	}
	if strings.TrimSpace(in.DOB) != "" {
		d, ok := domain.ParseDay(in.DOB)
		switch {
		case !ok:
			verr.Add("dob", "Enter the date of birth as a date, like 14/03/1994")
		case d.After(g.today()):
			verr.Add("dob", "The date of birth must be in the past")
		case d.Year() < 1900:
			verr.Add("dob", "The date of birth must be after 1900")
		default:
			e.DOB = &d
		}
	}
	switch gdr := strings.ToLower(strings.TrimSpace(in.Gender)); gdr {
	case "", "female", "male", "other", "unknown":
		e.Gender = gdr
	default:
		verr.Add("gender", "Choose female, male, other or unknown")
	}
	e.Detail = strings.TrimSpace(in.Detail)
	if utf8.RuneCountInString(e.Detail) > 5000 {
		verr.Add("detail", "Details must be 5,000 characters or fewer")
	}
	switch e.Kind {
	case domain.EntityVehicle:
		e.Identifier = match.Compact(e.Name)
	case domain.EntityPhone:
		e.Identifier = match.Phone(e.Name)
	default:
		e.Identifier = match.Compact(in.Identifier)
	}
	if len(in.Flags) > 0 {
		types, err := g.st.PersonFlagTypes(ctx)
		if err != nil {
			return e, err
		}
		for _, f := range in.Flags {
			if !slices.ContainsFunc(types, func(t store.FlagType) bool { return t.Code == f }) {
				verr.Add("flags", "Choose flags from the list")
				break
			}
			e.Flags = appendUnique(e.Flags, f)
		}
	}
	m, err := parseMarking(ctx, g.st, a, in.Marking, verr)
	if err != nil {
		return e, err
	}
	e.Marking = m
	if m.Handling == domain.HandlingC {
		e.HandlingNote = strings.TrimSpace(in.Marking.HandlingNote)
	}
	return e, nil
}

// AddEntity records a new person, business, location, vehicle or phone.
func (g *Register) AddEntity(ctx context.Context, a domain.Actor, in PersonInput) (domain.Entity, error) {
	p, err := g.Policy(ctx)
	if err != nil {
		return domain.Entity{}, err
	}
	if !p.Allowed(a, authz.Create, domain.KindEntity) {
		return domain.Entity{}, domain.ErrForbidden
	}
	verr := &domain.ValidationError{}
	e, err := g.checkEntity(ctx, a, in, verr)
	if err != nil {
		return domain.Entity{}, err
	}
	if err := verr.Err(); err != nil {
		return domain.Entity{}, err
	}
	err = g.st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := g.st.InsertEntity(ctx, tx, &e); err != nil {
			return err
		}
		_, err := g.alog.Append(ctx, tx, a, audit.MetaFrom(ctx), audit.Entry{Operation: audit.Collection, RecordType: string(domain.KindEntity),
			RecordIDs: []string{e.ID}, Label: e.Reference})
		return err
	})
	return e, err
}

// MemberInput adds a person to a group: an existing person (PersonID) or a
// new one (Person).
type MemberInput struct {
	PersonID   string
	Person     PersonInput
	Role       string
	From       string // UK date the membership began, optional
	SourceRef  string // the intelligence reference that supports it
	Confidence string
}

// AddMember puts a person on a group with a role, creating the person when
// no PersonID is given. The new person takes the marking given, which
// defaults (when the classification is blank) to the group's.
func (g *Register) AddMember(ctx context.Context, a domain.Actor, ocgID string, in MemberInput) (domain.Member, error) {
	p, o, err := g.keptGroup(ctx, a, ocgID)
	if err != nil {
		return domain.Member{}, err
	}
	verr := &domain.ValidationError{}
	role, ok := domain.ParseMemberRole(in.Role)
	if !ok {
		verr.Add("role", "Choose the member's role: principal, significant or peripheral")
	}
	conf, ok := domain.ParseConfidence(in.Confidence)
	if !ok {
		verr.Add("confidence", "Choose how confident the source is: high, medium or low")
	}
	in.SourceRef = strings.TrimSpace(in.SourceRef)
	if in.SourceRef == "" {
		verr.Add("source_ref", "Enter the intelligence reference that supports the membership")
	}
	var from *time.Time
	if strings.TrimSpace(in.From) != "" {
		d, ok := domain.ParseDay(in.From)
		if !ok {
			verr.Add("from", "Enter the start date as a date, like 22/11/2026")
		}
		from = &d
	}
	var person domain.Entity
	isNew := in.PersonID == ""
	if isNew {
		if !p.Allowed(a, authz.Create, domain.KindEntity) {
			return domain.Member{}, domain.ErrForbidden
		}
		if strings.TrimSpace(in.Person.Marking.Classification) == "" {
			in.Person.Marking = domain.MarkingInput{Classification: string(o.Marking.Classification), Handling: string(o.Marking.Handling),
				HandlingNote: o.HandlingNote, ConditionAgencies: o.Marking.ConditionAgencies, Restricted: o.Marking.Restricted,
				NamedAgencies: o.Marking.NamedAgencies}
			for _, t := range o.Marking.ConditionTypes {
				in.Person.Marking.ConditionTypes = append(in.Person.Marking.ConditionTypes, string(t))
			}
			person, err = g.checkEntity(ctx, a, in.Person, verr)
			person.Marking.NamedUsers = appendUnique(o.Marking.NamedUsers, a.UserID)
			if !o.Marking.Restricted {
				person.Marking.NamedUsers = nil
			}
		} else {
			person, err = g.checkEntity(ctx, a, in.Person, verr)
		}
		if err != nil {
			return domain.Member{}, err
		}
		if person.Kind != domain.EntityPerson {
			verr.Add("kind", "Only a person can be a member of a group")
		}
	} else {
		person, err = g.st.NewEntityQuery(p, a, authz.View).WithID(in.PersonID).WithKind(domain.EntityPerson).One(ctx)
		if err != nil {
			return domain.Member{}, err
		}
	}
	if err := verr.Err(); err != nil {
		return domain.Member{}, err
	}
	l := domain.Link{FromKind: domain.NodeEntity, ToKind: domain.NodeOCG, ToID: o.ID, Type: domain.LinkMemberOf, Role: role,
		ValidFrom: from, SourceRef: in.SourceRef, Confidence: conf, CreatedBy: a.UserID}
	err = g.st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if isNew {
			person.ID, person.Reference = "", ""
			if err := g.st.InsertEntity(ctx, tx, &person); err != nil {
				return err
			}
			if _, err := g.alog.Append(ctx, tx, a, audit.MetaFrom(ctx), audit.Entry{Operation: audit.Collection, RecordType: string(domain.KindEntity),
				RecordIDs: []string{person.ID}, Label: person.Reference}); err != nil {
				return err
			}
		}
		l.ID, l.FromID = "", person.ID
		if err := g.st.InsertLink(ctx, tx, a.PartnershipID, &l); err != nil {
			return err
		}
		_, err := g.alog.Append(ctx, tx, a, audit.MetaFrom(ctx), audit.Entry{Operation: audit.Combination, RecordType: string(domain.KindOCG),
			RecordIDs: []string{o.ID, person.ID}, Label: person.Reference + " " + role.Label() + " member of " + o.Reference})
		return err
	})
	return domain.Member{Link: l, Person: person}, err
}

// LinkInput links two records the actor may see.
type LinkInput struct {
	FromID, ToID string
	Type         string
	Role         string
	From, To     string // UK dates, optional
	SourceRef    string
	Confidence   string
	Note         string
}

// linkEnd is one end of a link: a visible group (with the group) or
// entity.
type linkEnd struct {
	kind domain.NodeKind
	ref  string
	ocg  domain.OCG // when kind is NodeOCG
}

// node resolves id to a visible group or entity.
func (g *Register) node(ctx context.Context, p authz.Policy, a domain.Actor, id string) (linkEnd, error) {
	if o, err := g.st.NewOCGQuery(p, a, authz.View).WithID(id).One(ctx); err == nil {
		return linkEnd{kind: domain.NodeOCG, ref: o.Reference, ocg: o}, nil
	}
	e, err := g.st.NewEntityQuery(p, a, authz.View).WithID(id).One(ctx)
	if err != nil {
		return linkEnd{}, err
	}
	return linkEnd{kind: domain.NodeEntity, ref: e.Reference}, nil
}

// Link records a typed, dated link between two records a may see. Only
// people can be members, and only of groups; a link with a group at either
// end needs someone who may keep the group's members (see AddMember).
func (g *Register) Link(ctx context.Context, a domain.Actor, in LinkInput) (domain.Link, error) {
	p, err := g.Policy(ctx)
	if err != nil {
		return domain.Link{}, err
	}
	if !p.Allowed(a, authz.Create, domain.KindEntity) {
		return domain.Link{}, domain.ErrForbidden
	}
	verr := &domain.ValidationError{}
	from, err := g.node(ctx, p, a, in.FromID)
	if err != nil {
		verr.Add("from", "Choose a record you can see")
	}
	to, err := g.node(ctx, p, a, in.ToID)
	if err != nil {
		verr.Add("to", "Choose a record you can see")
	}
	fromKind, fromRef, toKind, toRef := from.kind, from.ref, to.kind, to.ref
	if in.FromID == in.ToID {
		verr.Add("to", "A record cannot be linked to itself")
	}
	typ, ok := domain.ParseLinkType(in.Type)
	if !ok {
		verr.Add("type", "Choose the kind of link")
	}
	var role domain.MemberRole
	if typ == domain.LinkMemberOf {
		if role, ok = domain.ParseMemberRole(in.Role); !ok {
			verr.Add("role", "Choose the member's role: principal, significant or peripheral")
		}
		if fromKind != domain.NodeEntity || toKind != domain.NodeOCG {
			verr.Add("type", "Only a person can be a member, and only of a group")
		}
	}
	conf, ok := domain.ParseConfidence(in.Confidence)
	if !ok {
		verr.Add("confidence", "Choose how confident the source is: high, medium or low")
	}
	l := domain.Link{FromKind: fromKind, FromID: in.FromID, ToKind: toKind, ToID: in.ToID, Type: typ, Role: role,
		SourceRef: strings.TrimSpace(in.SourceRef), Confidence: conf, Note: strings.TrimSpace(in.Note), CreatedBy: a.UserID}
	if l.SourceRef == "" {
		verr.Add("source_ref", "Enter the intelligence reference that supports the link")
	}
	for _, d := range []struct {
		field, val string
		dst        **time.Time
	}{{"valid_from", in.From, &l.ValidFrom}, {"valid_to", in.To, &l.ValidTo}} {
		if strings.TrimSpace(d.val) == "" {
			continue
		}
		t, ok := domain.ParseDay(d.val)
		if !ok {
			verr.Add(d.field, "Enter the date as a date, like 22/11/2026")
			continue
		}
		*d.dst = &t
	}
	if l.ValidFrom != nil && l.ValidTo != nil && l.ValidTo.Before(*l.ValidFrom) {
		verr.Add("valid_to", "The end date must be on or after the start date")
	}
	if err := verr.Err(); err != nil {
		return domain.Link{}, err
	}
	// A link to or from a group changes the group's picture, so it follows
	// AddMember's rule: the group's analysts, LRO or SRO, and never an
	// archived group.
	for _, end := range []linkEnd{from, to} {
		if end.kind == domain.NodeOCG && !g.mayPlan(p, a, end.ocg) {
			return domain.Link{}, domain.ErrForbidden
		}
	}
	err = g.st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := g.st.InsertLink(ctx, tx, a.PartnershipID, &l); err != nil {
			return err
		}
		_, err := g.alog.Append(ctx, tx, a, audit.MetaFrom(ctx), audit.Entry{Operation: audit.Combination, RecordType: string(domain.KindEntity),
			RecordIDs: []string{l.FromID, l.ToID}, Label: fromRef + " " + typ.Label() + " " + toRef})
		return err
	})
	return l, err
}

// EntityView is everything a person (or other entity) page shows.
type EntityView struct {
	Entity  domain.Entity
	Links   []domain.Link
	CanEdit bool
}

// Entity returns the entity with id and its visible links, if a may see
// it, logging the consultation (with a purpose, as for groups).
func (g *Register) Entity(ctx context.Context, a domain.Actor, id string) (EntityView, error) {
	p, err := g.Policy(ctx)
	if err != nil {
		return EntityView{}, err
	}
	rl := readLog{st: g.st, alog: g.alog}
	isa, system, err := rl.systemRead(ctx, a)
	if err != nil {
		return EntityView{}, err
	}
	e, err := g.st.NewEntityQuery(p, a, authz.View).WithID(id).One(ctx)
	if err != nil {
		return EntityView{}, err
	}
	why, err := g.purpose(ctx, a, e.ID, e.CreatedBy, e.Reference, e.Name)
	if err != nil {
		return EntityView{}, err
	}
	links, err := g.st.LinksOf(ctx, p, a, e.ID)
	if err != nil {
		return EntityView{}, err
	}
	linked := linkedIDs(links, e.ID, nil)
	err = g.st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := rl.append(ctx, tx, a, audit.Entry{Operation: audit.Consultation, RecordType: string(domain.KindEntity),
			RecordIDs: []string{e.ID}, Label: e.Reference, Justification: why}, isa, system); err != nil {
			return err
		}
		return g.logLinked(ctx, tx, rl, a, linked, "linked to "+e.Reference, why, isa, system)
	})
	if err != nil {
		return EntityView{}, err
	}
	return EntityView{Entity: e, Links: links, CanEdit: p.Can(a, authz.Edit, domain.KindEntity, e.Marking) == nil}, nil
}

// PlanInput starts or revises a group's 4P plan.
type PlanInput struct {
	Objectives string
	ReviewDue  string // UK date
	Status     string // draft, active or under_review; active when empty
}

// SavePlan makes the group's current plan say in: a new plan (version 1,
// or the next version when asked with NewVersion) or the current one
// revised. The LRO or SRO (any agency) or the originating agency's
// analysts may.
func (g *Register) SavePlan(ctx context.Context, a domain.Actor, ocgID string, in PlanInput, newVersion bool) (domain.Plan, error) {
	_, o, err := g.keptGroup(ctx, a, ocgID)
	if err != nil {
		return domain.Plan{}, err
	}
	verr := &domain.ValidationError{}
	review, ok := domain.ParseDay(in.ReviewDue)
	if !ok {
		verr.Add("review_due", "Enter the plan's review date, like 22/11/2026")
	}
	status := domain.PlanStatus(strings.TrimSpace(in.Status))
	if status == "" {
		status = domain.PlanActive
	}
	if !slices.Contains([]domain.PlanStatus{domain.PlanDraft, domain.PlanActive, domain.PlanUnderReview}, status) {
		verr.Add("status", "Choose draft, active or under review")
	}
	objectives := strings.TrimSpace(in.Objectives)
	if utf8.RuneCountInString(objectives) > 20000 {
		verr.Add("objectives", "Objectives must be 20,000 characters or fewer")
	}
	if err := verr.Err(); err != nil {
		return domain.Plan{}, err
	}
	current, err := g.st.CurrentPlan(ctx, o.ID)
	exists := err == nil
	if err != nil && !errors.Is(err, domain.ErrNotFound) {
		return domain.Plan{}, err
	}
	plan := domain.Plan{OCGID: o.ID, Status: status, Objectives: objectives, ReviewDue: review, CreatedBy: a.UserID}
	err = g.st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if exists && !newVersion {
			current.Status, current.Objectives, current.ReviewDue = status, objectives, review
			if err := g.st.UpdatePlan(ctx, tx, &current); err != nil {
				return err
			}
			plan = current
		} else {
			if err := g.st.InsertPlan(ctx, tx, a.PartnershipID, &plan); err != nil {
				return err
			}
			if exists {
				// Open actions carry over to the new version.
				for _, act := range current.Actions {
					if act.Status == domain.ActionDone || act.Status == domain.ActionCancelled {
						continue
					}
					act.ID, act.PlanID, act.CreatedAt = "", plan.ID, time.Time{}
					if err := g.st.InsertPlanAction(ctx, tx, a.PartnershipID, &act); err != nil {
						return err
					}
				}
			}
		}
		_, err := g.alog.Append(ctx, tx, a, audit.MetaFrom(ctx), audit.Entry{Operation: audit.Alteration, RecordType: string(domain.KindOCG),
			RecordIDs: []string{o.ID}, Label: fmt.Sprintf("%s 4P plan version %d", o.Reference, plan.Version)})
		return err
	})
	return plan, err
}

// ActionInput is a 4P plan action.
type ActionInput struct {
	Strand        string
	Description   string
	OwnerAgencyID string
	OwnerName     string
	DueOn         string // UK date
	Status        string
	Outcome       string
}

// AddAction adds an action to the group's current plan.
func (g *Register) AddAction(ctx context.Context, a domain.Actor, ocgID string, in ActionInput) (domain.PlanAction, error) {
	_, o, err := g.keptGroup(ctx, a, ocgID)
	if err != nil {
		return domain.PlanAction{}, err
	}
	plan, err := g.st.CurrentPlan(ctx, o.ID)
	if err != nil {
		return domain.PlanAction{}, err
	}
	verr := &domain.ValidationError{}
	act := domain.PlanAction{PlanID: plan.ID, Description: strings.TrimSpace(in.Description), OwnerAgencyID: in.OwnerAgencyID,
		OwnerName: strings.TrimSpace(in.OwnerName), Status: domain.ActionNotStarted, Outcome: strings.TrimSpace(in.Outcome)}
	if s, ok := domain.ParseFourP(in.Strand); ok {
		act.Strand = s
	} else {
		verr.Add("strand", "Choose Pursue, Prevent, Protect or Prepare")
	}
	switch n := utf8.RuneCountInString(act.Description); {
	case n == 0:
		verr.Add("description", "Describe the action")
	case n > 2000:
		verr.Add("description", "The description must be 2,000 characters or fewer")
	}
	agencies, err := g.st.Agencies(ctx, a.PartnershipID)
	if err != nil {
		return domain.PlanAction{}, err
	}
	if !slices.ContainsFunc(agencies, func(ag domain.Agency) bool { return ag.ID == in.OwnerAgencyID }) {
		verr.Add("owner_agency", "Choose the agency that owns the action")
	}
	if act.OwnerName == "" {
		verr.Add("owner_name", "Enter the person who owns the action")
	}
	if d, ok := domain.ParseDay(in.DueOn); ok {
		act.DueOn = d
	} else {
		verr.Add("due_on", "Enter the due date, like 22/11/2026")
	}
	if in.Status != "" {
		st := domain.ActionStatus(in.Status)
		if !slices.Contains(domain.ActionStatuses, st) {
			verr.Add("status", "Choose the action's status")
		}
		act.Status = st
	}
	if act.Status == domain.ActionDone && act.Outcome == "" {
		verr.Add("outcome", "Record the outcome of a finished action")
	}
	if err := verr.Err(); err != nil {
		return domain.PlanAction{}, err
	}
	err = g.st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := g.st.InsertPlanAction(ctx, tx, a.PartnershipID, &act); err != nil {
			return err
		}
		_, err := g.alog.Append(ctx, tx, a, audit.MetaFrom(ctx), audit.Entry{Operation: audit.Alteration, RecordType: string(domain.KindOCG),
			RecordIDs: []string{o.ID}, Label: o.Reference + " 4P plan: " + act.Strand.Label() + " action added"})
		return err
	})
	return act, err
}

// UpdateAction records an action's status and outcome.
func (g *Register) UpdateAction(ctx context.Context, a domain.Actor, ocgID, actionID, status, outcome string) error {
	_, o, err := g.keptGroup(ctx, a, ocgID)
	if err != nil {
		return err
	}
	plan, err := g.st.CurrentPlan(ctx, o.ID)
	if err != nil {
		return err
	}
	st := domain.ActionStatus(status)
	verr := &domain.ValidationError{}
	if !slices.Contains(domain.ActionStatuses, st) {
		verr.Add("status", "Choose the action's status")
	}
	outcome = strings.TrimSpace(outcome)
	if st == domain.ActionDone && outcome == "" {
		verr.Add("outcome", "Record the outcome of a finished action")
	}
	if err := verr.Err(); err != nil {
		return err
	}
	return g.st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := g.st.UpdatePlanAction(ctx, tx, plan.ID, &domain.PlanAction{ID: actionID, Status: st, Outcome: outcome}); err != nil {
			return err
		}
		_, err := g.alog.Append(ctx, tx, a, audit.MetaFrom(ctx), audit.Entry{Operation: audit.Alteration, RecordType: string(domain.KindOCG),
			RecordIDs: []string{o.ID}, Label: o.Reference + " 4P plan action " + st.Label()})
		return err
	})
}

// Users lists the partnership's active users, for choosing an LRO or SRO.
func (g *Register) Users(ctx context.Context, a domain.Actor) ([]domain.User, error) {
	users, err := g.st.Users(ctx, a.PartnershipID)
	if err != nil {
		return nil, err
	}
	out := users[:0]
	for _, u := range users {
		if u.Active {
			out = append(out, u)
		}
	}
	return out, nil
}

// NodeRef names a group or entity without its content: what a form needs
// to turn a typed reference into the record it means.
type NodeRef struct {
	Kind      domain.NodeKind
	Entity    domain.EntityKind // for entities
	ID        string
	Reference string
}

// Resolve finds the group or entity a may see whose id or reference is
// key (e.g. "OCG-2026-0042", "P-000123"), or not found. It returns only
// the kind, id and reference, so it is not a consultation of the record.
// A reference several visible records share (references are unique per
// originating agency, decision 17) means the one from a's agency; failing
// that it is not found.
func (g *Register) Resolve(ctx context.Context, a domain.Actor, key string) (NodeRef, error) {
	key = strings.TrimSpace(key)
	if key == "" {
		return NodeRef{}, domain.NotFound("record", "")
	}
	p, err := g.Policy(ctx)
	if err != nil {
		return NodeRef{}, err
	}
	if _, err := uuid.Parse(key); err != nil {
		key = strings.ToUpper(key)
		nodes, err := g.st.NodesByReference(ctx, g.st.Reader(), p, a, authz.View, []string{key})
		if err != nil {
			return NodeRef{}, err
		}
		n, ok := nodes[key]
		if !ok || n.Ambiguous {
			return NodeRef{}, domain.NotFound("record", key)
		}
		return NodeRef{Kind: n.Kind, Entity: n.EntityKind, ID: n.ID, Reference: n.Reference}, nil
	}
	if o, err := g.st.NewOCGQuery(p, a, authz.View).WithID(key).One(ctx); err == nil {
		return NodeRef{Kind: domain.NodeOCG, ID: o.ID, Reference: o.Reference}, nil
	} else if !errors.Is(err, domain.ErrNotFound) {
		return NodeRef{}, err
	}
	e, err := g.st.NewEntityQuery(p, a, authz.View).WithID(key).One(ctx)
	if err != nil {
		return NodeRef{}, err
	}
	return NodeRef{Kind: domain.NodeEntity, Entity: e.Kind, ID: e.ID, Reference: e.Reference}, nil
}
