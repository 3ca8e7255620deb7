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
	ByCategory []CategoryCount // per validated 4P and impact
	ByMonth    map[string]int  // "2023-04" → disruptions
	ByUnit     map[string]int  // unit ID of Breakdown → disruptions reported there or below
	Outcomes   map[string]Sum  // outcome type → sums
	Seizures   []SeizureSum    // per agency and seizure type
	Threats    map[string]int  // threat code → disruptions with it
}

// CategoryCount is the disruptions of one validated category and impact.
type CategoryCount struct {
	FourP  domain.FourP
	Impact domain.Impact
	N      int
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
// actor under policy. Figures for an area, threat and period come from the
// roll-up's cells (a few grouped reads whatever the number of
// disruptions); filtered by agency, which the cells do not hold, they are
// counted from the disruptions themselves under the same rule.
func (s *Store) Performance(ctx context.Context, policy authz.Policy, actor domain.Actor, f PerformanceFilter) (PerformanceRows, error) {
	if f.AgencyID != "" {
		return s.performanceRecords(ctx, policy, actor, f)
	}
	out := PerformanceRows{ByMonth: map[string]int{}, ByUnit: map[string]int{}, Outcomes: map[string]Sum{}, Threats: map[string]int{}}
	type cat struct {
		month string
		c     CategoryCount
	}
	var args Args
	where := cellsWhere(policy, actor, f, "", false, &args)
	cats, err := collect(ctx, s.rdb, "performance by category", `SELECT c.month, c.four_p, c.impact, sum(c.n) FROM performance_count c WHERE `+where+
		` GROUP BY c.month, c.four_p, c.impact`, args.Values(), func(r *sql.Rows) (cat, error) {
		var x cat
		var p, i string
		err := r.Scan(&x.month, &p, &i, &x.c.N)
		x.c.FourP, x.c.Impact = domain.FourP(p), domain.Impact(i)
		return x, err
	})
	if err != nil {
		return out, err
	}
	byCat := map[[2]string]int{}
	for _, x := range cats {
		out.ByMonth[x.month] += x.c.N
		byCat[[2]string{string(x.c.FourP), string(x.c.Impact)}] += x.c.N
	}
	for k, n := range byCat {
		out.ByCategory = append(out.ByCategory, CategoryCount{FourP: domain.FourP(k[0]), Impact: domain.Impact(k[1]), N: n})
	}
	if len(f.Breakdown) > 0 {
		var uargs Args
		out.ByUnit, err = countsBy(ctx, s.rdb, "performance by unit", `SELECT CAST(c.unit_id AS text), sum(c.n) FROM performance_count c WHERE `+
			cellsWhere(policy, actor, f, idIn("c.unit_id", f.Breakdown, &uargs), false, &uargs)+` GROUP BY c.unit_id`, uargs.Values())
		if err != nil {
			return out, err
		}
	}
	if f.Threat != "" {
		// Filtered by a threat, every disruption counted has it.
		for _, c := range out.ByCategory {
			out.Threats[f.Threat] += c.N
		}
	} else {
		var targs Args
		out.Threats, err = countsBy(ctx, s.rdb, "performance by threat", `SELECT c.threat_code, sum(c.n) FROM performance_count c WHERE `+
			cellsWhere(policy, actor, f, "", true, &targs)+` GROUP BY c.threat_code`, targs.Values())
		if err != nil {
			return out, err
		}
	}
	type osum struct {
		typ, seizure, agency string
		s                    Sum
	}
	sums, err := collect(ctx, s.rdb, "performance outcomes", `SELECT c.outcome_type, c.seizure_type, c.agency, sum(c.n), CAST(sum(c.quantity) AS bigint), CAST(sum(c.months) AS bigint), CAST(sum(c.value_pence) AS bigint)
		FROM performance_outcome c WHERE `+where+` GROUP BY c.outcome_type, c.seizure_type, c.agency`, args.Values(),
		func(r *sql.Rows) (osum, error) {
			var x osum
			err := r.Scan(&x.typ, &x.seizure, &x.agency, &x.s.Rows, &x.s.Quantity, &x.s.Months, &x.s.ValuePence)
			return x, err
		})
	if err != nil {
		return out, err
	}
	for _, x := range sums {
		t := out.Outcomes[x.typ]
		t.Rows += x.s.Rows
		t.Quantity += x.s.Quantity
		t.Months += x.s.Months
		t.ValuePence += x.s.ValuePence
		out.Outcomes[x.typ] = t
		if x.seizure != "" {
			out.Seizures = append(out.Seizures, SeizureSum{AgencyID: x.agency, Type: x.seizure, Rows: x.s.Rows, Quantity: x.s.Quantity, ValuePence: x.s.ValuePence})
		}
	}
	return out, nil
}

// cellsWhere is the condition on roll-up cells (alias c) for f: the
// actor's partnership, the months, the threat's cells (or those counting
// every disruption), the area's own cells (which hold everything below
// it) or the partnership's top units', and scopes the actor may count.
// units, when not empty, replaces the area condition; everyThreat selects
// the cells of every threat instead.
func cellsWhere(policy authz.Policy, actor domain.Actor, f PerformanceFilter, units string, everyThreat bool, args *Args) string {
	switch {
	case units != "":
	case f.Area != "":
		units = idIn("c.unit_id", []string{f.Area}, args)
	default:
		units = "c.unit_id IN (SELECT u.id FROM org_unit u WHERE u.partnership_id = " + args.Add(actor.PartnershipID) + " AND u.parent_id IS NULL)"
	}
	threat := "c.threat_code <> ''"
	if !everyThreat {
		threat = "c.threat_code = " + args.Add(f.Threat)
	}
	return strings.Join([]string{
		"c.partnership_id = " + args.Add(actor.PartnershipID),
		units,
		threat,
		"c.month >= " + args.Add(f.From),
		"c.month <= " + args.Add(f.To),
		scopesVisible(policy, actor, f.action(), "c.scope_id", args),
	}, " AND ")
}

// PerformanceByMonth counts the disruptions of f by month only: what the
// dashboard needs of the same period a year earlier.
func (s *Store) PerformanceByMonth(ctx context.Context, policy authz.Policy, actor domain.Actor, f PerformanceFilter) (map[string]int, error) {
	var args Args
	q := `SELECT c.month, sum(c.n) FROM performance_count c WHERE ` + cellsWhere(policy, actor, f, "", false, &args) + ` GROUP BY c.month`
	if f.AgencyID != "" {
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
// outcomes, for the agency filter, which the roll-up does not hold.
func (s *Store) performanceRecords(ctx context.Context, policy authz.Policy, actor domain.Actor, f PerformanceFilter) (PerformanceRows, error) {
	out := PerformanceRows{ByMonth: map[string]int{}, ByUnit: map[string]int{}, Outcomes: map[string]Sum{}, Threats: map[string]int{}}
	parents, err := s.unitParents(ctx, actor.PartnershipID)
	if err != nil {
		return out, err
	}
	var args Args
	where := performanceWhere(policy, actor, f, parents, &args)
	vals := args.Values()
	out.ByCategory, err = collect(ctx, s.rdb, "performance by category", `SELECT d.validated_four_p, d.validated_impact, count(*) FROM disruption d WHERE `+where+`
		GROUP BY d.validated_four_p, d.validated_impact`, vals, func(r *sql.Rows) (CategoryCount, error) {
		var c CategoryCount
		var p, i string
		err := r.Scan(&p, &i, &c.N)
		c.FourP, c.Impact = domain.FourP(p), domain.Impact(i)
		return c, err
	})
	if err != nil {
		return out, err
	}
	if out.ByMonth, err = countsBy(ctx, s.rdb, "performance by month", `SELECT d.month, count(*) FROM disruption d WHERE `+where+` GROUP BY d.month`, vals); err != nil {
		return out, err
	}
	byUnit, err := countsBy(ctx, s.rdb, "performance by unit", `SELECT CAST(d.unit_id AS text), count(*) FROM disruption d WHERE `+where+` GROUP BY d.unit_id`, vals)
	if err != nil {
		return out, err
	}
	for _, b := range f.Breakdown {
		for id, n := range byUnit {
			if under(parents, id, b) {
				out.ByUnit[b] += n
			}
		}
	}
	out.Threats, err = countsBy(ctx, s.rdb, "performance by threat", `SELECT t.threat_code, count(*) FROM disruption d JOIN disruption_threat t ON t.disruption_id = d.id
		WHERE `+where+` GROUP BY t.threat_code`, vals)
	if err != nil {
		return out, err
	}
	if f.Threat != "" {
		// As from the cells: filtered by a threat, the breakdown by threat
		// is that threat's count.
		n := out.Threats[f.Threat]
		out.Threats = map[string]int{f.Threat: n}
	}
	type osum struct {
		k string
		s Sum
	}
	sums, err := collect(ctx, s.rdb, "performance outcomes", `SELECT o.outcome_type, count(*), COALESCE(sum(o.quantity), 0), COALESCE(sum(o.months), 0), COALESCE(sum(o.value_pence), 0)
		FROM disruption d JOIN disruption_outcome o ON o.disruption_id = d.id WHERE `+where+` GROUP BY o.outcome_type`, vals,
		func(r *sql.Rows) (osum, error) {
			var x osum
			err := r.Scan(&x.k, &x.s.Rows, &x.s.Quantity, &x.s.Months, &x.s.ValuePence)
			return x, err
		})
	if err != nil {
		return out, err
	}
	for _, x := range sums {
		out.Outcomes[x.k] = x.s
	}
	out.Seizures, err = collect(ctx, s.rdb, "performance seizures", `SELECT CAST(COALESCE(o.agency_id, d.lead_agency_id) AS text), o.seizure_type,
		count(*), COALESCE(sum(o.quantity), 0), COALESCE(sum(o.value_pence), 0)
		FROM disruption d JOIN disruption_outcome o ON o.disruption_id = d.id WHERE `+where+` AND o.seizure_type IS NOT NULL
		GROUP BY COALESCE(o.agency_id, d.lead_agency_id), o.seizure_type`, vals,
		func(r *sql.Rows) (SeizureSum, error) {
			var x SeizureSum
			err := r.Scan(&x.AgencyID, &x.Type, &x.Rows, &x.Quantity, &x.ValuePence)
			return x, err
		})
	if err != nil {
		return out, err
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
