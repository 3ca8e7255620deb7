package service

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"alliance/internal/audit"
	"alliance/internal/authz"
	"alliance/internal/domain"
	"alliance/internal/store"
)

// DefaultSuppressBelow is the smallest count shown to viewers who should
// not be able to single out a person: smaller counts (but not 0) are
// shown as "fewer than 5".
const DefaultSuppressBelow = 5

// PerformanceInput is what the dashboard is asked for, as typed in the
// query string: a financial year ("2023/24", the current one when empty),
// optionally a quarter ("Q1"), a unit of the reporting structure (its ONS
// code), a threat code and an agency (its ID or short name).
type PerformanceInput struct {
	FY, Quarter, Unit, Threat, Agency string
}

// Cell is one figure. Suppressed figures carry no number. A cell is
// suppressed either because it is small (primary suppression: above 0 and
// below the threshold) or, with Secondary set too, only so that another
// suppressed cell of its table cannot be worked out by subtraction; a
// secondary cell's true value may be of any size, so it must never be
// written as "fewer than" anything.
type Cell struct {
	N          int64
	Suppressed bool
	Secondary  bool
}

// HiddenText is how a secondarily suppressed figure is written everywhere
// (page, exports, API).
const HiddenText = "hidden"

// Text is the figure as the dashboard, the exports and the API write it:
// the number, "fewer than 5" for a small count, or "hidden" for a cell
// hidden only to protect another.
func (c Cell) Text(threshold int) string {
	switch {
	case c.Secondary:
		return HiddenText
	case c.Suppressed:
		return fmt.Sprintf("fewer than %d", threshold)
	}
	return domain.FormatCount(c.N)
}

// LabelledCell is a figure with what it counts.
type LabelledCell struct {
	Key, Label string
	Cell       Cell
}

// MonthCell is one month of the trend against the same month a year
// earlier.
type MonthCell struct {
	Label          string // "Apr 2023"
	This, LastYear Cell
}

// UnitCell is the disruptions reported in one unit and the units below it.
type UnitCell struct {
	Unit domain.OrgUnit // empty ID for "not assigned to a lower unit"
	Cell Cell
	Rate *float64 // per 1,000 residents, when the population is known
}

// SeizureCell is the seizures of one type by one agency.
type SeizureCell struct {
	Agency, Type string
	Count        Cell
	ValuePence   int64
	ValueHidden  bool // hidden with a suppressed count
}

// Performance is the dashboard for one partnership, period and filter.
type Performance struct {
	FY         domain.FiscalYear
	Quarter    int // 0 for the whole year
	Period     domain.Period
	Unit       domain.OrgUnit // the unit filtered on; empty for the whole partnership
	Threat     string
	AgencyID   string
	AgencyName string
	Threshold  int
	// Suppressing says small counts are hidden for this viewer.
	Suppressing bool
	// Exportable says this viewer may export these figures (MayExport),
	// decided with the same policy the figures were counted under.
	Exportable bool

	Disruptions, AdultsSafeguarded, ChildrenSafeguarded, OpenActivities, GunsSeized, Warrants Cell
	SentenceMonths                                                                            int64
	SentenceHidden                                                                            bool

	ByFourP   []LabelledCell
	ByImpact  []LabelledCell
	ByThreat  []LabelledCell
	Outcomes  []LabelledCell
	ByMonth   []MonthCell
	ByUnit    []UnitCell
	Seizures  []SeizureCell
	Rate      *float64 // disruptions per 1,000 residents of the unit
	Residents int64
}

// SentenceYears is the total custodial sentence in years, to one decimal.
func (p Performance) SentenceYears() string {
	if p.SentenceHidden {
		return fmt.Sprintf("fewer than %d", p.Threshold)
	}
	y := float64(p.SentenceMonths) / 12
	if p.SentenceMonths%12 == 0 {
		return domain.FormatCount(p.SentenceMonths / 12)
	}
	return fmt.Sprintf("%.1f", y)
}

// PeriodLabel is "2023/24" or "Q1 2023/24".
func (p Performance) PeriodLabel() string {
	if p.Quarter > 0 {
		return p.FY.Quarter(p.Quarter).String()
	}
	return p.FY.String()
}

// PerformanceService computes the partnership dashboard from validated
// disruptions, under the access policy in SQL, suppressing small counts
// for viewers who may not single people out.
type PerformanceService struct {
	policyUser
	st            *store.Store
	alog          *audit.Log
	suppressBelow int
}

// NewPerformance returns the service; suppressBelow ≤ 0 means
// DefaultSuppressBelow. Exports are logged to alog.
func NewPerformance(st *store.Store, alog *audit.Log, suppressBelow int) *PerformanceService {
	if suppressBelow <= 0 {
		suppressBelow = DefaultSuppressBelow
	}
	return &PerformanceService{st: st, alog: alog, suppressBelow: suppressBelow}
}

// MaySingleOut reports whether a sees small counts: analysts, LROs and the
// disruption panel work with the records themselves; board members,
// partner officers and partner systems see suppressed figures.
func MaySingleOut(a domain.Actor) bool {
	return a.Kind != domain.ActorToken && a.HasAny(domain.RoleAnalyst, domain.RoleLRO, domain.RolePanelMember)
}

// Compute returns the dashboard for in. Bad input is a
// *domain.ValidationError naming fy, quarter, unit, threat or agency.
func (ps *PerformanceService) Compute(ctx context.Context, a domain.Actor, in PerformanceInput) (Performance, error) {
	return ps.compute(ctx, a, in, authz.Count)
}

// compute is Compute for act: authz.Count for the dashboard and the API,
// authz.Export for an export, which only roles allowed to export disruptions
// may make and which counts only what they may export.
func (ps *PerformanceService) compute(ctx context.Context, a domain.Actor, in PerformanceInput, act authz.Action) (Performance, error) {
	policy, ref, err := ps.policyAndReference(ctx, ps.st)
	if err != nil {
		return Performance{}, err
	}
	if !policy.Allowed(a, act, domain.KindDisruption) {
		return Performance{}, domain.ErrForbidden
	}
	if err := ps.logSystemRead(ctx, a); err != nil {
		return Performance{}, err
	}
	out := Performance{Threshold: ps.suppressBelow, Suppressing: !MaySingleOut(a), Exportable: policy.Allowed(a, authz.Export, domain.KindDisruption)}
	sc, err := ps.scope(ctx, a, in, act, ref.Threats, &out)
	if err != nil {
		return out, err
	}
	out.Period = out.FY.Period()
	if out.Quarter > 0 {
		out.Period = out.FY.Quarter(out.Quarter).Period()
	}
	sc.f.From, sc.f.To = domain.MonthKey(out.Period.From), domain.MonthKey(out.Period.To)
	// The roll-up: each child of the unit filtered on (or of the top of the
	// structure) with everything reported in its subtree, and what was
	// reported at the unit itself.
	parent := out.Unit.ID
	children := sc.tree.children[parent]
	for out.Unit.ID == "" && len(children) == 1 {
		// One root (a region, a force): show the first level that divides.
		parent = children[0]
		children = sc.tree.children[parent]
	}
	sc.f.Breakdown = children
	sc.f.LastFrom, sc.f.LastTo = sc.yearBefore(out)
	rows, err := ps.st.Performance(ctx, policy, a, sc.f)
	if err != nil {
		return out, err
	}
	// Open activities are counted at the end of the period, or today for
	// the period still running.
	at := out.Period.To
	if now := ps.st.Now(); now.Before(at) {
		at = now
	}
	open, err := ps.st.OpenActivities(ctx, policy, a, at.Format("2006-01-02"), sc.f.AgencyID)
	if err != nil {
		return out, err
	}
	total := ps.figures(&out, sc.threats, ref.OutcomeTypes, rows, rows.LastYear, open)
	ps.areaFigures(&out, sc.tree, parent, children, rows.ByUnit, total)
	ps.seizureFigures(&out, ref.SeizureTypes, sc.agencyName, rows.Seizures)
	if out.Suppressing {
		// Secondary suppression: in every table whose cells add up to a
		// figure shown, one hidden cell could be worked out by
		// subtraction, so the smallest other cell is hidden too.
		for _, list := range [][]*Cell{cellsOf(out.ByFourP), cellsOf(out.ByImpact), monthCells(out.ByMonth, false), monthCells(out.ByMonth, true), unitCells(out.ByUnit)} {
			suppressSecond(list)
		}
		for i := range out.ByUnit {
			if out.ByUnit[i].Cell.Suppressed {
				out.ByUnit[i].Rate = nil
			}
		}
	}
	return out, nil
}

// logSystemRead logs a partner system's read of the figures: a disclosure
// under its agreement, like every other read it makes. A person's read
// is not logged.
func (ps *PerformanceService) logSystemRead(ctx context.Context, a domain.Actor) error {
	rl := readLog{st: ps.st, alog: ps.alog}
	isa, system, err := rl.systemRead(ctx, a)
	if err != nil || !system {
		return err
	}
	return ps.st.InGroupTx(ctx, a.PartnershipID, func(ctx context.Context, tx *sql.Tx) error {
		return rl.append(ctx, tx, a, audit.Entry{Operation: audit.Consultation, RecordType: string(domain.KindDisruption),
			Label: "Performance figures", Justification: "Performance figures under the sharing agreement"}, isa, true)
	})
}

// perfScope is what a dashboard counts over: the store's filter, the
// partnership's areas, and the reference data its tables name.
type perfScope struct {
	f          store.PerformanceFilter
	tree       *unitTree
	threats    []domain.Threat
	agencyName map[string]string // agency id → name
}

// yearBefore is the months of the same period a year earlier.
func (sc perfScope) yearBefore(out Performance) (from, to string) {
	prevPeriod := domain.FiscalYear(out.FY - 1).Period()
	if out.Quarter > 0 {
		prevPeriod = domain.FiscalYear(out.FY - 1).Quarter(out.Quarter).Period()
	}
	return domain.MonthKey(prevPeriod.From), domain.MonthKey(prevPeriod.To)
}

// scope reads in's financial year, quarter, area, threat and agency into
// out and the scope it returns. Bad input is a *domain.ValidationError
// naming fy, quarter, unit, threat or agency; out holds what was read
// even then.
func (ps *PerformanceService) scope(ctx context.Context, a domain.Actor, in PerformanceInput, act authz.Action, threats []domain.Threat, out *Performance) (perfScope, error) {
	verr := &domain.ValidationError{}
	out.FY = domain.FiscalYearOf(domain.UKDay(ps.st.Now()))
	if s := strings.TrimSpace(in.FY); s != "" {
		fy, err := domain.ParseFiscalYear(s)
		if err != nil {
			verr.Add("fy", "%s", capitalise(err.Error()))
		}
		out.FY = fy
	}
	if s := strings.ToUpper(strings.TrimSpace(in.Quarter)); s != "" {
		if len(s) == 2 && s[0] == 'Q' && s[1] >= '1' && s[1] <= '4' {
			out.Quarter = int(s[1] - '0')
		} else {
			verr.Add("quarter", "%q is not a quarter: choose Q1 (April to June) to Q4 (January to March)", in.Quarter)
		}
	}
	sc := perfScope{f: store.PerformanceFilter{Action: act}, agencyName: map[string]string{}}
	units, err := ps.st.OrgUnitTree(ctx, a.PartnershipID)
	if err != nil {
		return sc, err
	}
	sc.tree = newUnitTree(units)
	if code := strings.TrimSpace(in.Unit); code != "" {
		i := slices.IndexFunc(units, func(u domain.OrgUnit) bool { return strings.EqualFold(u.Code, code) || u.ID == code })
		if i < 0 {
			verr.Add("unit", "%q is not an area of the partnership", code)
		} else {
			out.Unit = units[i]
			sc.f.Area = out.Unit.ID
		}
	}
	sc.threats = threats
	if t := strings.TrimSpace(in.Threat); t != "" {
		if !slices.ContainsFunc(sc.threats, func(x domain.Threat) bool { return x.Code == t }) {
			verr.Add("threat", "%q is not a threat", t)
		}
		out.Threat, sc.f.Threat = t, t
	}
	agencies, err := ps.st.Agencies(ctx, a.PartnershipID)
	if err != nil {
		return sc, err
	}
	for _, ag := range agencies {
		sc.agencyName[ag.ID] = ag.Name
	}
	if s := strings.TrimSpace(in.Agency); s != "" {
		i := slices.IndexFunc(agencies, func(x domain.Agency) bool {
			return x.ID == s || strings.EqualFold(x.ShortName, s) || strings.EqualFold(x.Name, s)
		})
		if i < 0 {
			verr.Add("agency", "%q is not an agency of the partnership", s)
		} else {
			out.AgencyID, sc.f.AgencyID, out.AgencyName = agencies[i].ID, agencies[i].ID, agencies[i].Name
		}
	}
	return sc, verr.Err()
}

// cell is n as out shows it: suppressed when out suppresses and n is
// small but not zero.
func (ps *PerformanceService) cell(out *Performance, n int64) Cell {
	if out.Suppressing && n > 0 && n < int64(ps.suppressBelow) {
		return Cell{Suppressed: true}
	}
	return Cell{N: n}
}

// figures fills out's headline figures and its tables by category,
// impact, threat, outcome and month from rows (and the year before's
// months, and the open activities), and returns the total of
// disruptions.
func (ps *PerformanceService) figures(out *Performance, threats []domain.Threat, types []domain.OutcomeType, rows store.PerformanceRows,
	lastMonths map[string]int, open int) int {
	cell := func(n int64) Cell { return ps.cell(out, n) }
	total, byP, byI := rows.Total, rows.ByFourP, rows.ByImpact
	out.Disruptions = cell(int64(total))
	for _, p := range domain.FourPs {
		out.ByFourP = append(out.ByFourP, LabelledCell{Key: string(p), Label: p.Label(), Cell: cell(int64(byP[p]))})
	}
	for _, i := range domain.Impacts {
		out.ByImpact = append(out.ByImpact, LabelledCell{Key: string(i), Label: i.Label(), Cell: cell(int64(byI[i]))})
	}
	for _, t := range threats {
		if n := rows.Threats[t.Code]; n > 0 {
			out.ByThreat = append(out.ByThreat, LabelledCell{Key: t.Code, Label: t.Name, Cell: cell(int64(n))})
		}
	}
	q := func(code string) int64 { return rows.Outcomes[code].Quantity }
	out.AdultsSafeguarded, out.ChildrenSafeguarded = cell(q("adults_safeguarded")), cell(q("children_safeguarded"))
	out.GunsSeized, out.Warrants, out.OpenActivities = cell(q("firearms")), cell(q("warrants")), cell(int64(open))
	sentences := rows.Outcomes["custodial_sentence"]
	out.SentenceMonths = sentences.Months
	out.SentenceHidden = out.Suppressing && sentences.Rows > 0 && sentences.Rows < ps.suppressBelow
	for _, t := range types {
		if t.Measure == domain.MeasureCount {
			out.Outcomes = append(out.Outcomes, LabelledCell{Key: t.Code, Label: t.Name, Cell: cell(q(t.Code))})
		}
	}
	for m := out.Period.From; !m.After(out.Period.To); m = m.AddDate(0, 1, 0) {
		key, lastKey := domain.MonthKey(m), domain.MonthKey(m.AddDate(-1, 0, 0))
		out.ByMonth = append(out.ByMonth, MonthCell{Label: m.Format("Jan 2006"), This: cell(int64(rows.ByMonth[key])), LastYear: cell(int64(lastMonths[lastKey]))})
	}
	return total
}

// areaFigures fills out's table by area (the children of parent, and what
// is reported above them), the residents of the area shown and the rate
// per 1,000 of them.
func (ps *PerformanceService) areaFigures(out *Performance, tree *unitTree, parent string, children []string, byUnit map[string]int, total int) {
	assigned := 0
	for _, cid := range children {
		c := tree.byID[cid]
		n := byUnit[cid]
		assigned += n
		uc := UnitCell{Unit: c, Cell: ps.cell(out, int64(n))}
		if pop := tree.population(c.ID); pop > 0 && !uc.Cell.Suppressed {
			r := float64(n) * 1000 / float64(pop)
			uc.Rate = &r
		}
		out.ByUnit = append(out.ByUnit, uc)
	}
	if rest := total - assigned; rest > 0 || len(children) == 0 {
		out.ByUnit = append(out.ByUnit, UnitCell{Cell: ps.cell(out, int64(rest))})
	}
	root := out.Unit.ID
	if root == "" {
		root = parent
	}
	if out.Residents = tree.population(root); out.Residents == 0 && out.Unit.ID == "" {
		for _, id := range tree.children[""] {
			out.Residents += tree.population(id)
		}
	}
	if out.Residents > 0 && !out.Disruptions.Suppressed {
		r := float64(total) * 1000 / float64(out.Residents)
		out.Rate = &r
	}
}

// seizureFigures fills out's table of seizures, by agency name and then
// in the order of the seizure types.
func (ps *PerformanceService) seizureFigures(out *Performance, sts []domain.SeizureType, agencyName map[string]string, seizures []store.SeizureSum) {
	seizureNames := map[string]string{}
	for _, s := range sts {
		seizureNames[s.Code] = s.Name
	}
	order := func(code string) int {
		return slices.IndexFunc(sts, func(s domain.SeizureType) bool { return s.Code == code })
	}
	slices.SortFunc(seizures, func(x, y store.SeizureSum) int {
		if c := strings.Compare(agencyName[x.AgencyID], agencyName[y.AgencyID]); c != 0 {
			return c
		}
		return order(x.Type) - order(y.Type)
	})
	for _, s := range seizures {
		// Suppressed by how many seizures make the figure, not by how many
		// items they counted: one seizure of seven vehicles is one event.
		c := Cell{N: s.Quantity}
		if out.Suppressing && s.Rows < ps.suppressBelow {
			c = Cell{Suppressed: true}
		}
		out.Seizures = append(out.Seizures, SeizureCell{Agency: agencyName[s.AgencyID], Type: seizureNames[s.Type], Count: c, ValuePence: s.ValuePence, ValueHidden: c.Suppressed})
	}
}

func cellsOf(list []LabelledCell) []*Cell {
	out := make([]*Cell, len(list))
	for i := range list {
		out[i] = &list[i].Cell
	}
	return out
}

func monthCells(list []MonthCell, lastYear bool) []*Cell {
	out := make([]*Cell, len(list))
	for i := range list {
		out[i] = &list[i].This
		if lastYear {
			out[i] = &list[i].LastYear
		}
	}
	return out
}

func unitCells(list []UnitCell) []*Cell {
	out := make([]*Cell, len(list))
	for i := range list {
		out[i] = &list[i].Cell
	}
	return out
}

// suppressSecond hides the smallest shown non-zero cell of a group whose
// total is shown when exactly one cell of it is hidden, so that the hidden
// one cannot be worked out from the total and the rest; that cell is marked
// Secondary, since it is not small. Zeros stay shown:
// hiding a zero beside one hidden cell would not hide anything.
func suppressSecond(cells []*Cell) {
	hidden, smallest := 0, -1
	for i, c := range cells {
		if c.Suppressed {
			hidden++
			continue
		}
		if c.N > 0 && (smallest < 0 || c.N < cells[smallest].N) {
			smallest = i
		}
	}
	if hidden == 1 && smallest >= 0 {
		*cells[smallest] = Cell{Suppressed: true, Secondary: true}
	}
}

// unitTree indexes a partnership's reporting structure by parent, so that
// children and populations cost one pass each however many wards there are.
type unitTree struct {
	byID     map[string]domain.OrgUnit
	children map[string][]string
	pop      map[string]int64
}

func newUnitTree(units []domain.OrgUnit) *unitTree {
	t := &unitTree{byID: map[string]domain.OrgUnit{}, children: map[string][]string{}, pop: map[string]int64{}}
	for _, u := range units {
		t.byID[u.ID] = u
		t.children[u.ParentID] = append(t.children[u.ParentID], u.ID)
	}
	return t
}

// population is a unit's residents: its own figure, or the sum of its
// children's when it has none.
func (t *unitTree) population(id string) int64 {
	if n, ok := t.pop[id]; ok {
		return n
	}
	n := t.byID[id].Population
	if n <= 0 {
		n = 0
		for _, c := range t.children[id] {
			n += t.population(c)
		}
	}
	t.pop[id] = n
	return n
}
