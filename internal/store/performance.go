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
// validated ones, dated From to To (ISO days, inclusive), reported at one
// of UnitIDs when that is not nil (a unit and all the units under it), with
// Threat among their threats, and with AgencyID leading or contributing.
type PerformanceFilter struct {
	// Action is what the figures are for: authz.Count for the dashboard,
	// authz.Export for an export (Count when empty).
	Action   authz.Action
	From, To string
	UnitIDs  []string
	Threat   string
	AgencyID string
}

// PerformanceRows is what one partnership's performance for a period is
// computed from: every group is counted once per disruption (each has one
// reporting unit, one validated category and impact, and each outcome one
// agency), so sums over any of them add up to the totals.
type PerformanceRows struct {
	ByCategory []CategoryCount // per validated 4P and impact
	ByMonth    map[string]int  // "2023-04" → disruptions
	ByUnit     map[string]int  // unit ID → disruptions reported there
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

// performanceWhere is the condition every performance query shares: the
// policy (the actor may count the disruption, and see its group if it has
// one), validated, in the period, and the filters.
func performanceWhere(policy authz.Policy, actor domain.Actor, f PerformanceFilter, args *authz.Args) string {
	act := f.Action
	if act == "" {
		act = authz.Count
	}
	conds := []string{
		policy.Predicate(actor, act, domain.KindDisruption, "d", args),
		subjectsVisible(policy, actor, args, true),
		"d.status = 'validated'",
		"d.disrupted_on >= " + args.Add(f.From),
		"d.disrupted_on <= " + args.Add(f.To),
	}
	// The financial years the period spans, so that the index on
	// (partnership, status, fiscal year) narrows the rows read.
	if from, err := time.Parse("2006-01-02", f.From); err == nil {
		if to, err := time.Parse("2006-01-02", f.To); err == nil {
			conds = append(conds, "d.fiscal_year >= "+args.Add(int(domain.FiscalYearOf(from))), "d.fiscal_year <= "+args.Add(int(domain.FiscalYearOf(to))))
		}
	}
	if f.UnitIDs != nil {
		conds = append(conds, idIn("d.unit_id", f.UnitIDs, args))
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

// Performance reads the rows a performance view is computed from, for
// actor under policy, in five grouped queries over the same condition.
func (s *Store) Performance(ctx context.Context, policy authz.Policy, actor domain.Actor, f PerformanceFilter) (PerformanceRows, error) {
	out := PerformanceRows{ByMonth: map[string]int{}, ByUnit: map[string]int{}, Outcomes: map[string]Sum{}, Threats: map[string]int{}}
	var args authz.Args
	where := performanceWhere(policy, actor, f, &args)
	vals := args.Values()
	type kv struct {
		k string
		n int
	}
	var err error
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
	for _, g := range []struct {
		what, col string
		into      map[string]int
	}{{"performance by month", "d.month", out.ByMonth}, {"performance by unit", "CAST(d.unit_id AS text)", out.ByUnit}} {
		rows, err := collect(ctx, s.rdb, g.what, `SELECT `+g.col+`, count(*) FROM disruption d WHERE `+where+` GROUP BY `+g.col, vals,
			func(r *sql.Rows) (kv, error) { var x kv; err := r.Scan(&x.k, &x.n); return x, err })
		if err != nil {
			return out, err
		}
		for _, x := range rows {
			g.into[x.k] = x.n
		}
	}
	threats, err := collect(ctx, s.rdb, "performance by threat", `SELECT t.threat_code, count(*) FROM disruption d JOIN disruption_threat t ON t.disruption_id = d.id
		WHERE `+where+` GROUP BY t.threat_code`, vals, func(r *sql.Rows) (kv, error) { var x kv; err := r.Scan(&x.k, &x.n); return x, err })
	if err != nil {
		return out, err
	}
	for _, x := range threats {
		out.Threats[x.k] = x.n
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

// PerformanceByMonth counts the disruptions of f by month only: what the
// dashboard needs of the same period a year earlier.
func (s *Store) PerformanceByMonth(ctx context.Context, policy authz.Policy, actor domain.Actor, f PerformanceFilter) (map[string]int, error) {
	var args authz.Args
	where := performanceWhere(policy, actor, f, &args)
	type kv struct {
		k string
		n int
	}
	rows, err := collect(ctx, s.rdb, "performance by month", `SELECT d.month, count(*) FROM disruption d WHERE `+where+` GROUP BY d.month`, args.Values(),
		func(r *sql.Rows) (kv, error) { var x kv; err := r.Scan(&x.k, &x.n); return x, err })
	if err != nil {
		return nil, err
	}
	out := map[string]int{}
	for _, x := range rows {
		out[x.k] = x.n
	}
	return out, nil
}

// OpenActivities counts the activities actor may count under policy that
// were open at the end of day (ISO), led by agencyID when it is not empty.
func (s *Store) OpenActivities(ctx context.Context, policy authz.Policy, actor domain.Actor, day, agencyID string) (int, error) {
	var args authz.Args
	vis := policy.Predicate(actor, authz.Count, domain.KindDisruption, "a", &args) + " AND " + activityGroupVisible(policy, actor, &args)
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
