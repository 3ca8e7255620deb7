package service

import (
	"context"
	"database/sql"
	"log/slog"
	"slices"
	"sort"
	"time"

	"alliance/internal/audit"
	"alliance/internal/authz"
	"alliance/internal/domain"
	"alliance/internal/store"
)

// Homes builds the home page of each signed-in user: the work in front of
// them, by the roles they hold. Every list and count on it is read under
// the access policy like the page it links to, and the records it names
// are logged as consulted.
type Homes struct {
	policyUser
	st   *store.Store
	log  *slog.Logger
	alog *audit.Log
	perf *PerformanceService
}

// NewHomes returns the service; perf gives the board its headline figures.
func NewHomes(st *store.Store, log *slog.Logger, alog *audit.Log, perf *PerformanceService) *Homes {
	if log == nil {
		log = slog.Default()
	}
	return &Homes{st: st, log: log, alog: alog, perf: perf}
}

// How much each home page lists, and the rules it flags by.
const (
	homeListed = 10
	// PlanDueWithin is how soon a plan review shows as due on an LRO's home.
	PlanDueWithin = 30
	// AgreementReviewWithin is how soon an agreement's review shows as due
	// on a DPO's home.
	AgreementReviewWithin = 30
	// UnusualTimes and UnusualFloor are the unusual-access rule: a user who
	// read at least UnusualFloor records in the last seven days and more
	// than UnusualTimes times the median of the others who read any.
	UnusualTimes = 3
	UnusualFloor = 50
	// PanelLongWait is the days after which a submission shows as waiting
	// long.
	PanelLongWait = 28
)

// Home is one user's home page. A section is nil when the user holds no
// role it serves.
type Home struct {
	Today   time.Time
	FY      domain.FiscalYear
	Board   *BoardHome
	Panel   *PanelHome
	LRO     *LROHome
	Analyst *AnalystHome
	Partner *PartnerHome
	DPO     *DPOHome
	Admin   *AdminHome
}

// Empty reports whether the user holds no role with a home section.
func (h Home) Empty() bool {
	return h.Board == nil && h.Panel == nil && h.LRO == nil && h.Analyst == nil && h.Partner == nil && h.DPO == nil && h.Admin == nil
}

// BoardHome is the year's headline figures and the OCG picture in brief.
type BoardHome struct {
	Performance Performance
	// Mapped counts the groups scored and mapped today; Dismantled those
	// dismantled this financial year.
	Mapped, Dismantled PictureFigure
}

// PanelHome is the disruption panel's queue.
type PanelHome struct {
	Waiting    int // submitted, waiting for a decision
	LongWaits  int // of them, waiting more than PanelLongWait days
	OldestDays int
	Oldest     []domain.Disruption // the longest waiting first
}

// GroupDue is one of an LRO's groups with its review dates.
type GroupDue struct {
	OCG           domain.OCG
	HasPlan       bool
	PlanReviewDue time.Time
	PlanOverdue   bool
	PlanDueSoon   bool
	ReviewOverdue bool
}

// LROHome is an LRO's groups, the plans due and the open actions.
type LROHome struct {
	Groups       []GroupDue
	PlansDue     int // plans whose review is overdue or due within PlanDueWithin days
	NoPlan       int // groups without a current plan
	Actions      []store.ActionRow
	ActionsTotal int
	ActionsLate  int
}

// AnalystHome is what needs an analyst's attention.
type AnalystHome struct {
	NoLRO, ReviewOverdue, NoScore, NoPlan int
	Attention                             []Attention // at most homeListed
	AttentionTotal                        int
	Proposed                              []domain.OCG // proposed or under assessment, oldest first
	ProposedTotal                         int
	ReportsThisWeek                       int
	// Triage counts the submissions and public reports waiting for the
	// intelligence unit.
	Triage int
}

// PartnerHome is what an officer's agency gave this year and what is asked
// of it.
type PartnerHome struct {
	Agency string
	// Disruptions led by the agency this financial year, by status code.
	Led            map[string]int
	LedTotal       int
	Reports        int // information reports the agency wrote this year
	Asked          []store.ActionRow
	AskedTotal     int
	AskedLate      int
	Returned       []domain.Disruption // the officer's own, returned by the panel
	Drafts         int
	GroupsProposed int // groups the agency proposed that are in the register
	// Questions counts the officer's submissions the intelligence unit has
	// asked a question about.
	Questions int
}

// DPOHome is the agreements due for review and unusual access.
type DPOHome struct {
	ReviewsDue  []domain.ISA
	Overdue     int
	Since       time.Time
	Readers     []ReaderFlag // the most records first, at most homeListed
	Unusual     int
	PeersMedian int
}

// ReaderFlag is one user's reading in the last seven days.
type ReaderFlag struct {
	store.ReaderCount
	Email   string // for the audit log's filter; "" for a caller that is not a user
	Unusual bool
}

// AdminHome is the accounts an administrator has to finish.
type AdminHome struct {
	Pending []PendingAccount
}

// PendingAccount is an active account that cannot be used yet, or has not
// been, and why.
type PendingAccount struct {
	User    store.UserSummary
	Reasons []string
}

// Home returns a's home page as on today.
func (h *Homes) Home(ctx context.Context, a domain.Actor) (Home, error) {
	if a.Anonymous() {
		return Home{}, domain.ErrForbidden
	}
	pol, err := h.policyOf(ctx, h.st)
	if err != nil {
		return Home{}, err
	}
	today := domain.UKDay(h.st.Now())
	out := Home{Today: today, FY: domain.FiscalYearOf(today)}
	var shown shownRecords
	if a.Has(domain.RoleBoardViewer) {
		if out.Board, err = h.board(ctx, pol, a, out); err != nil {
			return out, err
		}
	}
	if a.Has(domain.RolePanelMember) && pol.Allowed(a, authz.List, domain.KindDisruption) && MayOpenRecords(pol, a) {
		if out.Panel, err = h.panel(ctx, pol, a, today, &shown); err != nil {
			return out, err
		}
	}
	if a.Has(domain.RoleLRO) && pol.Allowed(a, authz.List, domain.KindOCG) {
		if out.LRO, err = h.lro(ctx, pol, a, today, &shown); err != nil {
			return out, err
		}
	}
	if a.Has(domain.RoleAnalyst) && pol.Allowed(a, authz.List, domain.KindOCG) {
		if out.Analyst, err = h.analyst(ctx, pol, a, today, &shown); err != nil {
			return out, err
		}
	}
	if a.Has(domain.RolePartnerOfficer) {
		if out.Partner, err = h.partner(ctx, pol, a, out.FY, today, &shown); err != nil {
			return out, err
		}
	}
	if a.Has(domain.RoleAuditor) {
		if out.DPO, err = h.dpo(ctx, a, today); err != nil {
			return out, err
		}
	}
	if a.Has(domain.RoleAdministrator) {
		if out.Admin, err = h.admin(ctx, a); err != nil {
			return out, err
		}
	}
	return out, h.logShown(ctx, a, shown)
}

// shownRecords collects the records a home page names, by kind, once each.
type shownRecords map[domain.RecordKind][]string

func (s *shownRecords) add(kind domain.RecordKind, ids ...string) {
	if *s == nil {
		*s = shownRecords{}
	}
	for _, id := range ids {
		if id != "" && !slices.Contains((*s)[kind], id) {
			(*s)[kind] = append((*s)[kind], id)
		}
	}
}

// logShown records, in one transaction, that a was shown the records the
// page names: one consultation entry per kind.
func (h *Homes) logShown(ctx context.Context, a domain.Actor, shown shownRecords) error {
	if len(shown) == 0 {
		return nil
	}
	return h.st.InGroupTx(ctx, a.PartnershipID, func(ctx context.Context, tx *sql.Tx) error {
		for _, kind := range []domain.RecordKind{domain.KindOCG, domain.KindDisruption, domain.KindEntity} {
			if ids := shown[kind]; len(ids) > 0 {
				if _, err := h.alog.Append(ctx, tx, a, audit.MetaFrom(ctx), audit.Entry{Operation: audit.Consultation, RecordType: string(kind),
					RecordIDs: ids, Label: "Home page"}); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

func (h *Homes) board(ctx context.Context, pol authz.Policy, a domain.Actor, out Home) (*BoardHome, error) {
	b := &BoardHome{}
	if pol.Allowed(a, authz.Count, domain.KindDisruption) {
		perf, err := h.perf.Compute(ctx, a, PerformanceInput{FY: out.FY.String()})
		if err != nil {
			return nil, err
		}
		b.Performance = perf
	}
	if pol.Allowed(a, authz.Count, domain.KindOCG) {
		mapped, err := h.st.MappedOn(ctx, pol, a, out.Today)
		if err != nil {
			return nil, err
		}
		dismantled, err := h.st.DismantledIn(ctx, pol, a, out.FY.Start(), out.Today)
		if err != nil {
			return nil, err
		}
		b.Mapped, b.Dismantled = figure(mapped), figure(dismantled)
	}
	return b, nil
}

func (h *Homes) panel(ctx context.Context, pol authz.Policy, a domain.Actor, today time.Time, shown *shownRecords) (*PanelHome, error) {
	queue := func() *store.DisruptionQuery {
		return h.st.NewDisruptionQuery(pol, a, authz.List).WithStatus(domain.DisruptionSubmitted)
	}
	p := &PanelHome{}
	var err error
	if p.Waiting, err = queue().Count(ctx); err != nil {
		return nil, err
	}
	if p.Waiting == 0 {
		return p, nil
	}
	if p.Oldest, err = queue().LongestWaiting().List(ctx, homeListed); err != nil {
		return nil, err
	}
	oldest, err := queue().OldestUpdate(ctx)
	if err != nil {
		return nil, err
	}
	p.OldestDays = DaysSince(oldest, today)
	// Waiting more than PanelLongWait days: changed before the start of the
	// UK day PanelLongWait days ago.
	if p.LongWaits, err = queue().UpdatedBefore(domain.UKMidnight(today.AddDate(0, 0, -PanelLongWait))).Count(ctx); err != nil {
		return nil, err
	}
	for _, d := range p.Oldest {
		shown.add(domain.KindDisruption, d.ID)
	}
	return p, nil
}

// DaysSince is how many whole UK days lie between at and today.
func DaysSince(at, today time.Time) int {
	if at.IsZero() {
		return 0
	}
	return max(0, int(today.Sub(domain.UKDay(at)).Hours()/24))
}

func (h *Homes) lro(ctx context.Context, pol authz.Policy, a domain.Actor, today time.Time, shown *shownRecords) (*LROHome, error) {
	groups, err := h.st.NewOCGQuery(pol, a, authz.List).WithLRO(a.UserID).Where("o.status <> 'archived'").ByScore().List(ctx, 0, 0)
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(groups))
	for i, o := range groups {
		ids[i] = o.ID
	}
	plans, err := h.st.CurrentPlansOf(ctx, ids)
	if err != nil {
		return nil, err
	}
	l := &LROHome{}
	soon := today.AddDate(0, 0, PlanDueWithin)
	for _, o := range groups {
		g := GroupDue{OCG: o, ReviewOverdue: o.ReviewDue != nil && o.ReviewDue.Before(today)}
		if p, ok := plans[o.ID]; ok {
			g.HasPlan, g.PlanReviewDue = true, p.ReviewDue
			g.PlanOverdue = p.ReviewDue.Before(today)
			g.PlanDueSoon = !g.PlanOverdue && !p.ReviewDue.After(soon)
		} else {
			l.NoPlan++
		}
		if g.PlanOverdue || g.PlanDueSoon {
			l.PlansDue++
		}
		l.Groups = append(l.Groups, g)
	}
	shown.add(domain.KindOCG, ids...)
	if l.Actions, l.ActionsTotal, err = h.st.OpenActions(ctx, pol, a, store.ActionFilter{LROUserID: a.UserID}, 0); err != nil {
		return nil, err
	}
	for i := range l.Actions {
		if l.Actions[i].Action.DueOn.Before(today) {
			l.Actions[i].OverDue = true
			l.ActionsLate++
		}
	}
	if len(l.Actions) > homeListed {
		l.Actions = l.Actions[:homeListed]
	}
	return l, nil
}

func (h *Homes) analyst(ctx context.Context, pol authz.Policy, a domain.Actor, today time.Time, shown *shownRecords) (*AnalystHome, error) {
	rows, err := h.st.NeedsAttention(ctx, pol, a, today)
	if err != nil {
		return nil, err
	}
	an := &AnalystHome{}
	for _, r := range rows {
		why := AttentionReasons(r, today)
		if len(why) == 0 {
			continue
		}
		for _, w := range why {
			switch w {
			case ReasonNoLRO:
				an.NoLRO++
			case ReasonReviewOverdue, ReasonPlanReviewOverdue:
				an.ReviewOverdue++
			case ReasonNoScore:
				an.NoScore++
			case ReasonNoPlan:
				an.NoPlan++
			}
		}
		an.AttentionTotal++
		if len(an.Attention) < homeListed {
			an.Attention = append(an.Attention, Attention{OCG: r.OCG, Reasons: why, PlanReviewDue: r.PlanReviewDue})
			shown.add(domain.KindOCG, r.OCG.ID)
		}
	}
	proposed := func() *store.OCGQuery {
		return h.st.NewOCGQuery(pol, a, authz.List).WithStatuses(domain.StatusProposed, domain.StatusUnderAssessment)
	}
	if an.ProposedTotal, err = proposed().Count(ctx); err != nil {
		return nil, err
	}
	if an.ProposedTotal > 0 {
		list, err := proposed().OldestFirst().List(ctx, homeListed, 0)
		if err != nil {
			return nil, err
		}
		an.Proposed = list
		for _, o := range list {
			shown.add(domain.KindOCG, o.ID)
		}
	}
	if pol.Allowed(a, authz.List, domain.KindSubmission) {
		if an.Triage, err = h.st.NewSubmissionQuery(pol, a, authz.List).Open().Count(ctx); err != nil {
			return nil, err
		}
	}
	if pol.Allowed(a, authz.List, domain.KindInfoReport) {
		from := today.AddDate(0, 0, -6)
		n, err := h.st.NewInfoReportQuery(pol, a, authz.List).CreatedIn(domain.UKMidnight(from), domain.UKMidnight(today.AddDate(0, 0, 1))).Count(ctx)
		if err != nil {
			return nil, err
		}
		an.ReportsThisWeek = n
	}
	return an, nil
}

func (h *Homes) partner(ctx context.Context, pol authz.Policy, a domain.Actor, fy domain.FiscalYear, today time.Time, shown *shownRecords) (*PartnerHome, error) {
	p := &PartnerHome{Agency: a.AgencyName, Led: map[string]int{}}
	var err error
	if pol.Allowed(a, authz.List, domain.KindDisruption) {
		led, err := h.st.NewDisruptionQuery(pol, a, authz.List).WithLeadAgency(a.AgencyID).DisruptedIn(fy.Period()).CountByStatus(ctx)
		if err != nil {
			return nil, err
		}
		for k, n := range led {
			p.Led[k] = n
			if k != string(domain.DisruptionWithdrawn) {
				p.LedTotal += n
			}
		}
		mine := func() *store.DisruptionQuery {
			return h.st.NewDisruptionQuery(pol, a, authz.List).WithCreatedBy(a.UserID)
		}
		if p.Drafts, err = mine().WithStatus(domain.DisruptionDraft).Count(ctx); err != nil {
			return nil, err
		}
		if p.Returned, err = mine().WithStatus(domain.DisruptionReturned).LongestWaiting().List(ctx, homeListed); err != nil {
			return nil, err
		}
		for _, d := range p.Returned {
			shown.add(domain.KindDisruption, d.ID)
		}
	}
	if pol.Allowed(a, authz.List, domain.KindInfoReport) {
		p.Reports, err = h.st.NewInfoReportQuery(pol, a, authz.List).FromAgency(a.AgencyID).
			CreatedIn(domain.UKMidnight(fy.Start()), domain.UKMidnight(today.AddDate(0, 0, 1))).Count(ctx)
		if err != nil {
			return nil, err
		}
	}
	if pol.Allowed(a, authz.List, domain.KindOCG) {
		q := h.st.NewOCGQuery(pol, a, authz.List).Where("o.status <> 'archived'")
		q.Where("o.origin_agency_id = " + q.Arg(a.AgencyID))
		if p.GroupsProposed, err = q.Count(ctx); err != nil {
			return nil, err
		}
	}
	if pol.Allowed(a, authz.List, domain.KindSubmission) {
		if p.Questions, err = h.st.NewSubmissionQuery(pol, a, authz.List).WithSubmitter(a.UserID).WithStatus(domain.SubmissionQuestion).Count(ctx); err != nil {
			return nil, err
		}
	}
	if p.Asked, p.AskedTotal, err = h.st.OpenActions(ctx, pol, a, store.ActionFilter{OwnerAgencyID: a.AgencyID}, 0); err != nil {
		return nil, err
	}
	for i := range p.Asked {
		if p.Asked[i].Action.DueOn.Before(today) {
			p.Asked[i].OverDue = true
			p.AskedLate++
		}
		shown.add(domain.KindOCG, p.Asked[i].OCGID)
	}
	if len(p.Asked) > homeListed {
		p.Asked = p.Asked[:homeListed]
	}
	return p, nil
}

func (h *Homes) dpo(ctx context.Context, a domain.Actor, today time.Time) (*DPOHome, error) {
	d := &DPOHome{Since: domain.UKMidnight(today.AddDate(0, 0, -6))}
	isas, err := h.st.ISAs(ctx, a.PartnershipID)
	if err != nil {
		return nil, err
	}
	soon := today.AddDate(0, 0, AgreementReviewWithin)
	for _, i := range isas {
		if i.Status == "withdrawn" || i.ReviewOn.IsZero() || i.ReviewOn.After(soon) {
			continue
		}
		if i.ReviewOn.Before(today) {
			d.Overdue++
		}
		d.ReviewsDue = append(d.ReviewsDue, i)
	}
	sort.SliceStable(d.ReviewsDue, func(x, y int) bool { return d.ReviewsDue[x].ReviewOn.Before(d.ReviewsDue[y].ReviewOn) })
	readers, err := h.st.RecordsReadSince(ctx, a.PartnershipID, d.Since)
	if err != nil {
		return nil, err
	}
	flags, median := UnusualReaders(readers)
	d.PeersMedian = median
	for _, f := range flags {
		if f.Unusual {
			d.Unusual++
		}
	}
	if len(flags) > homeListed {
		flags = flags[:homeListed]
	}
	users, err := h.st.Users(ctx, a.PartnershipID)
	if err != nil {
		return nil, err
	}
	email := make(map[string]string, len(users))
	for _, u := range users {
		email[u.ID] = u.Email
	}
	for i := range flags {
		flags[i].Email = email[flags[i].UserID]
	}
	d.Readers = flags
	return d, nil
}

// UnusualReaders flags, among readers (the most first), each who read at
// least UnusualFloor records and more than UnusualTimes times the median of
// the others; it returns the flags and the median over everyone.
func UnusualReaders(readers []store.ReaderCount) ([]ReaderFlag, int) {
	out := make([]ReaderFlag, len(readers))
	all := make([]int, len(readers))
	for i, r := range readers {
		out[i].ReaderCount, all[i] = r, r.Records
	}
	for i, r := range readers {
		others := make([]int, 0, len(readers))
		others = append(others, all[:i]...)
		others = append(others, all[i+1:]...)
		out[i].Unusual = r.Records >= UnusualFloor && r.Records > UnusualTimes*median(others)
	}
	return out, median(all)
}

// median is the middle of counts (the lower middle for an even number), 0
// for none.
func median(counts []int) int {
	if len(counts) == 0 {
		return 0
	}
	c := slices.Clone(counts)
	slices.Sort(c)
	return c[(len(c)-1)/2]
}

func (h *Homes) admin(ctx context.Context, a domain.Actor) (*AdminHome, error) {
	users, err := h.st.UserSummaries(ctx, a.PartnershipID)
	if err != nil {
		return nil, err
	}
	ad := &AdminHome{}
	for _, u := range users {
		if why := PendingReasons(u); len(why) > 0 {
			ad.Pending = append(ad.Pending, PendingAccount{User: u, Reasons: why})
		}
	}
	return ad, nil
}

// PendingReasons says why an active person's account is not yet in use:
// no roles, no way to sign in (no password and no single sign-on), no
// second factor, or never signed in. Service accounts and deactivated
// accounts are never pending.
func PendingReasons(u store.UserSummary) []string {
	if !u.Active || u.ServiceAccount {
		return nil
	}
	var why []string
	if len(u.Roles) == 0 {
		why = append(why, "No roles")
	}
	if !u.HasPassword && !u.OIDC {
		why = append(why, "Password not set")
	}
	if u.HasPassword && !u.HasTOTP && !u.OIDC && !u.SecondFactorExempt {
		why = append(why, "Second factor not set up")
	}
	if u.LastSignInAt.IsZero() {
		why = append(why, "Never signed in")
	}
	return why
}
