package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"alliance/internal/authz"
	"alliance/internal/domain"
)

// PerformanceFilter selects the disruptions a performance figure counts:
// validated ones, in the months From to To ("2024-04", inclusive),
// reported in Area or below it (the whole partnership when Area is
// empty), with Threat among their threats, and with AgencyID leading or
// contributing.
type PerformanceFilter struct {
	// Action is what the figures are for: authz.Count for the dashboard,
	// authz.Export for an export (Count when empty).
	Action   authz.Action
	From, To string
	Area     string
	// Breakdown lists the units whose disruptions (each with the units
	// below it) PerformanceRows.ByUnit counts.
	Breakdown []string
	Threat    string
	AgencyID  string
	// LastFrom and LastTo, when set, are months a year earlier whose
	// disruptions Performance counts by month too (PerformanceRows.LastYear),
	// with the same filters: the dashboard's comparison.
	LastFrom, LastTo string
}

func (f PerformanceFilter) action() authz.Action {
	if f.Action == "" {
		return authz.Count
	}
	return f.Action
}

// PerformanceRows is what one partnership's performance for a period is
// computed from: every group is counted once per disruption (each has one
// reporting unit, one validated category and impact, and each outcome one
// agency), so sums over any of them add up to the totals.
type PerformanceRows struct {
	Total    int                   // disruptions
	ByFourP  map[domain.FourP]int  // per validated 4P category
	ByImpact map[domain.Impact]int // per validated impact
	ByMonth  map[string]int        // "2023-04" → disruptions
	ByUnit   map[string]int        // unit ID of Breakdown → disruptions reported there or below
	Outcomes map[string]Sum        // outcome type → sums
	Seizures []SeizureSum          // per agency and seizure type
	Threats  map[string]int        // threat code → disruptions with it
	LastYear map[string]int        // "2022-04" → disruptions, of LastFrom to LastTo
}

func newPerformanceRows() PerformanceRows {
	return PerformanceRows{ByFourP: map[domain.FourP]int{}, ByImpact: map[domain.Impact]int{}, ByMonth: map[string]int{}, ByUnit: map[string]int{},
		Outcomes: map[string]Sum{}, Threats: map[string]int{}, LastYear: map[string]int{}}
}

// Sum is the totals of one outcome type.
type Sum struct {
	Rows       int
	Quantity   int64
	Months     int64
	ValuePence int64
}

// SeizureSum is the seizures of one type by one agency.
type SeizureSum struct {
	AgencyID, Type string
	Rows           int // seizures recorded
	Quantity       int64
	ValuePence     int64
}

// Performance reads the rows a performance view is computed from, for
// actor under policy. Figures for an area above the wards and a period of
// whole financial quarters come from the roll-up's cells (a few grouped
// reads whatever the number of disruptions); the breakdown of an area
// into wards, a ward's own figures, and figures filtered by threat or
// agency, which the cells do not hold, are counted from the disruptions
// themselves under the same rule.
func (s *Store) Performance(ctx context.Context, policy authz.Policy, actor domain.Actor, f PerformanceFilter) (PerformanceRows, error) {
	area, byCells, err := s.cellsFor(ctx, actor.PartnershipID, f)
	if err != nil {
		return PerformanceRows{}, err
	}
	if !byCells {
		out, err := s.performanceRecords(ctx, policy, actor, f)
		if err != nil || f.LastFrom == "" {
			return out, err
		}
		last := f
		last.From, last.To, last.LastFrom, last.LastTo = f.LastFrom, f.LastTo, "", ""
		out.LastYear, err = s.PerformanceByMonth(ctx, policy, actor, last)
		return out, err
	}
	out := newPerformanceRows()
	if err := s.readCells(ctx, policy, actor, f, area, &out); err != nil {
		return out, err
	}
	return out, s.wardCounts(ctx, policy, actor, f, area.wards, &out)
}

// cell is one row of readCells: what it is ('m' a month, 'u' a unit of
// the breakdown, 't' a threat, 'o' an outcome), its keys and its sums.
type cell struct {
	kind, k1, k2, k3 string
	n                [10]int64
}

// readCells reads every cell the view needs in one statement: the months
// (with the year before) with their categories and impacts, the breakdown
// by the units that have cells, the threats and the outcomes, each
// grouped, all under one list of the scopes the actor may count.
func (s *Store) readCells(ctx context.Context, policy authz.Policy, actor domain.Actor, f PerformanceFilter, area cellArea, out *PerformanceRows) error {
	var args Args
	pid := args.Add(actor.PartnershipID)
	vis := `WITH vis AS (SELECT s.id FROM performance_scope s WHERE s.partnership_id = ` + pid + ` AND ` + scopePredicate(policy, actor, f.action(), &args) + `)
	`
	where := func(units []string, period string) string {
		return "c.partnership_id = " + pid + " AND " + idIn("c.unit_id", units, &args) + " AND " + period + " AND c.scope_id IN (SELECT id FROM vis)"
	}
	quarters := "c.quarter >= " + args.Add(f.From) + " AND c.quarter <= " + args.Add(f.To)
	var months string
	switch {
	case f.LastFrom != "" && nextMonth(f.LastTo) == f.From:
		// The year before runs up to this one: one range, which
		// PostgreSQL reads once (with the two ranges OR-ed it read the
		// range again for every scope: twice the time for a region).
		months = "c.month >= " + args.Add(f.LastFrom) + " AND c.month <= " + args.Add(f.To)
	case f.LastFrom != "":
		months = "((c.month >= " + args.Add(f.From) + " AND c.month <= " + args.Add(f.To) + ") OR (c.month >= " + args.Add(f.LastFrom) +
			" AND c.month <= " + args.Add(f.LastTo) + "))"
	default:
		months = "c.month >= " + args.Add(f.From) + " AND c.month <= " + args.Add(f.To)
	}
	sums := []string{"sum(c.n)"}
	for _, p := range domain.FourPs {
		sums = append(sums, "sum(c."+string(p)+")")
	}
	for _, i := range domain.Impacts {
		sums = append(sums, "sum(c."+impactColumn(i)+")")
	}
	zeros := ", 0, 0, 0, 0, 0, 0"
	parts := []string{
		`SELECT 'm', c.month, '', '', ` + strings.Join(sums, ", ") + ` FROM performance_month c WHERE ` + where(area.units, months) + ` GROUP BY c.month`,
		`SELECT 't', c.threat_code, '', '', sum(c.n), 0, 0, 0` + zeros + ` FROM performance_quarter c WHERE ` + where(area.units, quarters) +
			` AND c.threat_code <> '' GROUP BY c.threat_code`,
		`SELECT 'o', c.outcome_type, c.seizure_type, c.agency, sum(c.n), CAST(sum(c.quantity) AS bigint), CAST(sum(c.months) AS bigint), CAST(sum(c.value_pence) AS bigint)` +
			zeros + ` FROM performance_outcome c WHERE ` + where(area.units, quarters) + ` GROUP BY c.outcome_type, c.seizure_type, c.agency`,
	}
	if len(area.kids) > 0 {
		parts = append(parts, `SELECT 'u', CAST(c.unit_id AS text), '', '', sum(c.n), 0, 0, 0`+zeros+` FROM performance_quarter c WHERE `+where(area.kids, quarters)+
			` AND c.threat_code = '' GROUP BY c.unit_id`)
	}
	cells, err := collect(ctx, s.rdb, "performance cells", vis+strings.Join(parts, "\n\tUNION ALL "), args.Values(), func(r *sql.Rows) (cell, error) {
		var c cell
		dest := []any{&c.kind, &c.k1, &c.k2, &c.k3}
		for i := range c.n {
			dest = append(dest, &c.n[i])
		}
		err := r.Scan(dest...)
		return c, err
	})
	if err != nil {
		return err
	}
	for _, c := range cells {
		out.add(f, c)
	}
	return nil
}

// add counts one cell of readCells into out.
func (out *PerformanceRows) add(f PerformanceFilter, c cell) {
	n := int(c.n[0])
	switch c.kind {
	case "m":
		if c.k1 < f.From || c.k1 > f.To {
			out.LastYear[c.k1] += n
			return
		}
		out.Total += n
		out.ByMonth[c.k1] += n
		for i, p := range domain.FourPs {
			out.ByFourP[p] += int(c.n[1+i])
		}
		for i, imp := range domain.Impacts {
			out.ByImpact[imp] += int(c.n[1+len(domain.FourPs)+i])
		}
	case "u":
		out.ByUnit[c.k1] += n
	case "t":
		out.Threats[c.k1] += n
	case "o":
		t := out.Outcomes[c.k1]
		t.Rows += n
		t.Quantity += c.n[1]
		t.Months += c.n[2]
		t.ValuePence += c.n[3]
		out.Outcomes[c.k1] = t
		if c.k2 != "" {
			out.Seizures = append(out.Seizures, SeizureSum{AgencyID: c.k3, Type: c.k2, Rows: n, Quantity: c.n[1], ValuePence: c.n[3]})
		}
	}
}

// cellArea is the units a view's cells are read at: the area (or the
// partnership's top units), and the units of the breakdown split into
// those with cells and wards.
type cellArea struct {
	units       []string
	kids, wards []string
}

// cellsFor reads the units f reads cells at, and reports whether its
// figures can be read from the cells at all: not when filtered by threat
// or agency, not for a period that is not whole financial quarters, and
// not for a ward (or a partnership whose top unit is one).
func (s *Store) cellsFor(ctx context.Context, partnershipID string, f PerformanceFilter) (cellArea, bool, error) {
	var area cellArea
	if f.AgencyID != "" || f.Threat != "" || quarterOf(f.From) != f.From || quarterOf(f.To) == "" || quarterOf(nextMonth(f.To)) != nextMonth(f.To) {
		return area, false, nil
	}
	type unit struct {
		id, level string
		root      bool
	}
	var args Args
	pid := args.Add(partnershipID)
	ids := append([]string{}, f.Breakdown...)
	if f.Area != "" {
		ids = append(ids, f.Area)
	}
	cond := "u.parent_id IS NULL"
	if len(ids) > 0 {
		cond += " OR " + idIn("u.id", ids, &args)
	}
	units, err := collect(ctx, s.rdb, "performance units", `SELECT CAST(u.id AS text), u.level, u.parent_id IS NULL FROM org_unit u WHERE u.partnership_id = `+pid+` AND (`+cond+`)`,
		args.Values(), func(r *sql.Rows) (unit, error) { var u unit; err := r.Scan(&u.id, &u.level, &u.root); return u, err })
	if err != nil {
		return area, false, err
	}
	level := map[string]string{}
	for _, u := range units {
		level[u.id] = u.level
		if f.Area == "" && u.root {
			area.units = append(area.units, u.id)
		}
	}
	if f.Area != "" {
		area.units = []string{f.Area}
	}
	for _, id := range area.units {
		if level[id] == string(domain.LevelWard) || level[id] == "" {
			return area, false, nil
		}
	}
	for _, id := range f.Breakdown {
		if level[id] == string(domain.LevelWard) {
			area.wards = append(area.wards, id)
		} else {
			area.kids = append(area.kids, id)
		}
	}
	return area, len(area.units) > 0, nil
}

// nextMonth is the month after month ("2025-03" → "2025-04"), or "" when
// month is not "YYYY-MM".
func nextMonth(month string) string {
	t, err := time.Parse("2006-01", month)
	if err != nil {
		return ""
	}
	return t.AddDate(0, 1, 0).Format("2006-01")
}

// wardCounts counts the disruptions of the breakdown's wards (each with
// the units below it) from the records into out.ByUnit: the roll-up keeps
// no cells at wards.
func (s *Store) wardCounts(ctx context.Context, policy authz.Policy, actor domain.Actor, f PerformanceFilter, wards []string, out *PerformanceRows) error {
	if len(wards) == 0 {
		return nil
	}
	parents, err := s.unitParents(ctx, actor.PartnershipID)
	if err != nil {
		return err
	}
	var ids []string
	for id := range parents {
		for _, w := range wards {
			if under(parents, id, w) {
				ids = append(ids, id)
			}
		}
	}
	var args Args
	whole := f // the wards' disruptions are named below
	whole.Area = ""
	byUnit, err := countsBy(ctx, s.rdb, "performance by ward", `SELECT CAST(d.unit_id AS text), count(*) FROM disruption d WHERE `+
		performanceWhere(policy, actor, whole, nil, &args)+` AND `+idIn("d.unit_id", ids, &args)+` GROUP BY d.unit_id`, args.Values())
	if err != nil {
		return err
	}
	for _, w := range wards {
		for id, n := range byUnit {
			if under(parents, id, w) {
				out.ByUnit[w] += n
			}
		}
	}
	return nil
}

// PerformanceByMonth counts the disruptions of f by month only: what the
// dashboard needs of the same period a year earlier.
func (s *Store) PerformanceByMonth(ctx context.Context, policy authz.Policy, actor domain.Actor, f PerformanceFilter) (map[string]int, error) {
	area, byCells, err := s.cellsFor(ctx, actor.PartnershipID, f)
	if err != nil {
		return nil, err
	}
	var args Args
	q := `SELECT c.month, sum(c.n) FROM performance_month c WHERE c.partnership_id = ` + args.Add(actor.PartnershipID) + ` AND ` + idIn("c.unit_id", area.units, &args) +
		` AND c.month >= ` + args.Add(f.From) + ` AND c.month <= ` + args.Add(f.To) + ` AND ` + scopesVisible(policy, actor, f.action(), "c.scope_id", &args) + ` GROUP BY c.month`
	if !byCells {
		args = Args{}
		units, err := s.unitParents(ctx, actor.PartnershipID)
		if err != nil {
			return nil, err
		}
		q = `SELECT d.month, count(*) FROM disruption d WHERE ` + performanceWhere(policy, actor, f, units, &args) + ` GROUP BY d.month`
	}
	return countsBy(ctx, s.rdb, "performance by month", q, args.Values())
}

// unitParents maps each unit of a partnership to its parent ("" at the
// top).
func (s *Store) unitParents(ctx context.Context, partnershipID string) (map[string]string, error) {
	type pair struct{ id, parent string }
	list, err := collect(ctx, s.rdb, "org units", `SELECT CAST(id AS text), COALESCE(CAST(parent_id AS text), '') FROM org_unit WHERE partnership_id = $1`,
		[]any{partnershipID}, func(r *sql.Rows) (pair, error) { var p pair; err := r.Scan(&p.id, &p.parent); return p, err })
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(list))
	for _, p := range list {
		out[p.id] = p.parent
	}
	return out, nil
}

// under reports whether unit is root or below it in parents.
func under(parents map[string]string, unit, root string) bool {
	for i := 0; unit != "" && i < 32; i++ {
		if unit == root {
			return true
		}
		unit = parents[unit]
	}
	return false
}

// performanceWhere is the condition the record-level performance queries
// share: the policy (the actor may count the disruption, and see its group
// if it has one), validated, in the period, and the filters.
func performanceWhere(policy authz.Policy, actor domain.Actor, f PerformanceFilter, parents map[string]string, args *Args) string {
	conds := []string{
		predicate(policy, actor, f.action(), domain.KindDisruption, "d", args),
		subjectsVisible(policy, actor, args, true),
		"d.status = 'validated'",
		"d.month >= " + args.Add(f.From),
		"d.month <= " + args.Add(f.To),
	}
	// The financial years the period spans, so that the index on
	// (partnership, status, fiscal year) narrows the rows read.
	if from, err := time.Parse("2006-01", f.From); err == nil {
		if to, err := time.Parse("2006-01", f.To); err == nil {
			conds = append(conds, "d.fiscal_year >= "+args.Add(int(domain.FiscalYearOf(from))), "d.fiscal_year <= "+args.Add(int(domain.FiscalYearOf(to))))
		}
	}
	if f.Area != "" {
		var ids []string
		for id := range parents {
			if under(parents, id, f.Area) {
				ids = append(ids, id)
			}
		}
		conds = append(conds, idIn("d.unit_id", ids, args))
	}
	if f.Threat != "" {
		conds = append(conds, "EXISTS (SELECT 1 FROM disruption_threat dt WHERE dt.disruption_id = d.id AND dt.threat_code = "+args.Add(f.Threat)+")")
	}
	if f.AgencyID != "" {
		a := args.Add(f.AgencyID)
		conds = append(conds, "(d.lead_agency_id = "+a+" OR EXISTS (SELECT 1 FROM disruption_agency da WHERE da.disruption_id = d.id AND da.agency_id = "+a+"))")
	}
	return strings.Join(conds, " AND ")
}

// performanceRecords is Performance counted from the disruptions and their
// outcomes, for the threat and agency filters, a ward and a period that is
// not whole quarters, which the roll-up does not hold. One statement: the
// disruptions the filter and the policy admit are found once (a CTE that
// every grouping reads), as the policy's conditions are most of the cost.
func (s *Store) performanceRecords(ctx context.Context, policy authz.Policy, actor domain.Actor, f PerformanceFilter) (PerformanceRows, error) {
	out := newPerformanceRows()
	parents, err := s.unitParents(ctx, actor.PartnershipID)
	if err != nil {
		return out, err
	}
	var args Args
	where := performanceWhere(policy, actor, f, parents, &args)
	zeros := func(n int) string { return strings.Repeat(", 0", n) }
	query := `WITH d0 AS (SELECT d.id, d.month, d.unit_id, d.validated_four_p, d.validated_impact, d.lead_agency_id FROM disruption d WHERE ` + where + `)
	SELECT 'c', d0.validated_four_p, d0.validated_impact, count(*)` + zeros(3) + ` FROM d0 GROUP BY d0.validated_four_p, d0.validated_impact
	UNION ALL SELECT 'm', d0.month, '', count(*)` + zeros(3) + ` FROM d0 GROUP BY d0.month
	UNION ALL SELECT 'u', CAST(d0.unit_id AS text), '', count(*)` + zeros(3) + ` FROM d0 GROUP BY d0.unit_id
	UNION ALL SELECT 't', t.threat_code, '', count(*)` + zeros(3) + ` FROM d0 JOIN disruption_threat t ON t.disruption_id = d0.id GROUP BY t.threat_code
	UNION ALL SELECT 'o', o.outcome_type, '', count(*), CAST(COALESCE(sum(o.quantity), 0) AS bigint), CAST(COALESCE(sum(o.months), 0) AS bigint),
		CAST(COALESCE(sum(o.value_pence), 0) AS bigint) FROM d0 JOIN disruption_outcome o ON o.disruption_id = d0.id GROUP BY o.outcome_type
	UNION ALL SELECT 's', o.seizure_type, CAST(COALESCE(o.agency_id, d0.lead_agency_id) AS text), count(*), CAST(COALESCE(sum(o.quantity), 0) AS bigint), 0,
		CAST(COALESCE(sum(o.value_pence), 0) AS bigint) FROM d0 JOIN disruption_outcome o ON o.disruption_id = d0.id WHERE o.seizure_type IS NOT NULL
		GROUP BY o.seizure_type, COALESCE(o.agency_id, d0.lead_agency_id)`
	type row struct {
		kind, k1, k2 string
		n            [4]int64
	}
	rows, err := collect(ctx, s.rdb, "performance records", query, args.Values(), func(r *sql.Rows) (row, error) {
		var x row
		err := r.Scan(&x.kind, &x.k1, &x.k2, &x.n[0], &x.n[1], &x.n[2], &x.n[3])
		return x, err
	})
	if err != nil {
		return out, err
	}
	byUnit := map[string]int{}
	for _, x := range rows {
		n := int(x.n[0])
		switch x.kind {
		case "c":
			out.Total += n
			out.ByFourP[domain.FourP(x.k1)] += n
			out.ByImpact[domain.Impact(x.k2)] += n
		case "m":
			out.ByMonth[x.k1] += n
		case "u":
			byUnit[x.k1] += n
		case "t":
			out.Threats[x.k1] += n
		case "o":
			out.Outcomes[x.k1] = Sum{Rows: n, Quantity: x.n[1], Months: x.n[2], ValuePence: x.n[3]}
		case "s":
			out.Seizures = append(out.Seizures, SeizureSum{AgencyID: x.k2, Type: x.k1, Rows: n, Quantity: x.n[1], ValuePence: x.n[3]})
		}
	}
	for _, b := range f.Breakdown {
		for id, n := range byUnit {
			if under(parents, id, b) {
				out.ByUnit[b] += n
			}
		}
	}
	if f.Threat != "" {
		// As from the cells: filtered by a threat, the breakdown by threat
		// is that threat's count.
		n := out.Threats[f.Threat]
		out.Threats = map[string]int{f.Threat: n}
	}
	return out, nil
}

// OpenActivities counts the activities actor may count under policy that
// were open at the end of day (ISO), led by agencyID when it is not empty.
func (s *Store) OpenActivities(ctx context.Context, policy authz.Policy, actor domain.Actor, day, agencyID string) (int, error) {
	var args Args
	vis := predicate(policy, actor, authz.Count, domain.KindDisruption, "a", &args) + " AND " + activityGroupVisible(policy, actor, &args)
	d := args.Add(day)
	q := `SELECT count(*) FROM activity a WHERE ` + vis + ` AND a.opened_on <= ` + d + ` AND (a.closed_on IS NULL OR a.closed_on > ` + d + `)`
	if agencyID != "" {
		q += ` AND a.lead_agency_id = ` + args.Add(agencyID)
	}
	var n int
	if err := s.rdb.QueryRowContext(ctx, q, args.Values()...).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count open activities: %w", err)
	}
	return n, nil
}
