package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"

	"alliance/internal/domain"
)

// bulkRollup is the performance roll-up of the disruptions a Bulk loads,
// counted in memory as they are written, so that a load into a partnership
// that has nothing counted yet writes each cell once (Bulk.RollUp) rather
// than recounting the rows in SQL afterwards, which was half of the
// benchmark build's time. It counts exactly what Store.rollup counts:
// each validated disruption at its unit and every unit above it that is
// not a ward, by month (with its 4P category and impact), by quarter and
// threat (none, then each of its threats), and its outcomes by quarter, type,
// seizure type and agency. TestDisruptionsRollUpMatchesRebuild (generate) compares the two.
type bulkRollup struct {
	// fresh: the partnership had no validated disruption and no cell when
	// the load began, so the cells counted here are the whole roll-up.
	fresh bool
	// up: each unit with itself and its ancestors that are not wards.
	up      map[string][]string
	month   map[monthCell][]int64
	quarter map[quarterCell]int64
	outcome map[outcomeCell]*[4]int64
}

type monthCell struct {
	unit, month string
	scope       int64
}

type quarterCell struct {
	unit, threat, quarter string
	scope                 int64
}

type outcomeCell struct {
	unit, quarter                 string
	scope                         int64
	outcome, seizure, agencyOrNot string
}

// startRollup reads what the in-memory count needs for the Bulk's
// partnership: whether it is fresh and its reporting structure.
func (b *Bulk) startRollup(ctx context.Context) error {
	var counted bool
	err := b.tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM disruption WHERE partnership_id = $1 AND status = 'validated')
		OR EXISTS (SELECT 1 FROM performance_month WHERE partnership_id = $1) OR EXISTS (SELECT 1 FROM performance_quarter WHERE partnership_id = $1)
		OR EXISTS (SELECT 1 FROM performance_outcome WHERE partnership_id = $1)`, b.pid).Scan(&counted)
	if err != nil {
		return fmt.Errorf("store: bulk roll-up: %w", err)
	}
	type unit struct{ id, parent, level string }
	units, err := collect(ctx, b.tx, "bulk roll-up units", `SELECT CAST(id AS text), COALESCE(CAST(parent_id AS text), ''), level FROM org_unit WHERE partnership_id = $1`,
		[]any{b.pid}, func(r *sql.Rows) (unit, error) {
			var u unit
			err := r.Scan(&u.id, &u.parent, &u.level)
			return u, err
		})
	if err != nil {
		return err
	}
	byID := make(map[string]unit, len(units))
	for _, u := range units {
		byID[u.id] = u
	}
	r := &bulkRollup{fresh: !counted, up: map[string][]string{}, month: map[monthCell][]int64{}, quarter: map[quarterCell]int64{},
		outcome: map[outcomeCell]*[4]int64{}}
	for _, u := range units {
		// As Store.rollup: at most 16 steps up, so a cycle written by
		// mistake ends.
		for a, depth := u, 0; depth <= 16; depth++ {
			if a.level != string(domain.LevelWard) {
				r.up[u.id] = append(r.up[u.id], a.id)
			}
			p, ok := byID[a.parent]
			if !ok {
				break
			}
			a = p
		}
	}
	b.rollup = r
	return nil
}

// count adds the validated disruptions of list, stored with their scopes
// (the interner knows every one), to the in-memory roll-up.
func (b *Bulk) count(ctx context.Context, list []domain.Disruption) error {
	r := b.rollup
	width := 1 + len(domain.FourPs) + len(domain.Impacts)
	for i := range list {
		d := &list[i]
		if d.Status != domain.DisruptionValidated {
			continue
		}
		k, err := b.scopes.keyOf(ctx, d.Marking, d.OCGID, d.EntityID)
		if err != nil {
			return err
		}
		scope, ok := b.scopes.byKey[k.key]
		if !ok {
			return fmt.Errorf("store: bulk roll-up: disruption %s has no scope", d.Reference)
		}
		month := domain.MonthKey(d.On)
		quarter := quarterOf(month)
		threats := appendUniqueStr(nil, d.Threats...)
		for _, unit := range r.up[d.UnitID] {
			mc := monthCell{unit: unit, month: month, scope: scope}
			sums := r.month[mc]
			if sums == nil {
				sums = make([]int64, width)
				r.month[mc] = sums
			}
			sums[0]++
			if j := slices.Index(domain.FourPs, d.ValidatedFourP); j >= 0 {
				sums[1+j]++
			}
			if j := slices.Index(domain.Impacts, d.ValidatedImpact); j >= 0 {
				sums[1+len(domain.FourPs)+j]++
			}
			r.quarter[quarterCell{unit: unit, quarter: quarter, scope: scope}]++
			for _, t := range threats {
				r.quarter[quarterCell{unit: unit, threat: t, quarter: quarter, scope: scope}]++
			}
			for _, o := range d.Outcomes {
				oc := outcomeCell{unit: unit, quarter: quarter, scope: scope, outcome: o.Type, seizure: o.SeizureType}
				if o.SeizureType != "" {
					oc.agencyOrNot = cmp.Or(o.AgencyID, d.LeadAgencyID)
				}
				s := r.outcome[oc]
				if s == nil {
					s = new([4]int64)
					r.outcome[oc] = s
				}
				s[0]++
				s[1] += int64(o.Quantity)
				s[2] += int64(o.Months)
				s[3] += o.ValuePence
			}
		}
	}
	return nil
}

// RollUp counts what LoadDisruptions loaded into the performance roll-up.
// When the partnership had nothing counted before the load, it writes the
// cells counted in memory as the disruptions were written (each table's
// rows together, like the disruptions); otherwise it recounts the
// partnership from its rows (RebuildRollup). Call it once, after the last
// LoadDisruptions of the transaction.
func (b *Bulk) RollUp(ctx context.Context) error {
	if b.rollup == nil || !b.rollup.fresh {
		return b.s.RebuildRollup(ctx, b.tx, b.pid)
	}
	r := b.rollup
	cols := []string{"partnership_id", "unit_id", "month", "scope_id", "n"}
	for _, p := range domain.FourPs {
		cols = append(cols, string(p))
	}
	for _, i := range domain.Impacts {
		cols = append(cols, impactColumn(i))
	}
	months := make([][]any, 0, len(r.month))
	for c, sums := range r.month {
		row := []any{b.pid, c.unit, c.month, c.scope}
		for _, n := range sums {
			row = append(row, n)
		}
		months = append(months, row)
	}
	quarters := make([][]any, 0, len(r.quarter))
	for c, n := range r.quarter {
		quarters = append(quarters, []any{b.pid, c.unit, c.threat, c.quarter, c.scope, n})
	}
	outcomes := make([][]any, 0, len(r.outcome))
	for c, s := range r.outcome {
		outcomes = append(outcomes, []any{b.pid, c.unit, c.quarter, c.scope, c.outcome, c.seizure, c.agencyOrNot, s[0], s[1], s[2], s[3]})
	}
	tables := []struct {
		table string
		cols  []string
		rows  [][]any
		key   int // the primary key's columns after partnership_id
	}{
		{"performance_month", cols, months, 3},
		{"performance_quarter", []string{"partnership_id", "unit_id", "threat_code", "quarter", "scope_id", "n"}, quarters, 4},
		{"performance_outcome", []string{"partnership_id", "unit_id", "quarter", "scope_id", "outcome_type", "seizure_type", "agency", "n", "quantity", "months",
			"value_pence"}, outcomes, 6},
	}
	for _, t := range tables {
		// In primary key order, as the SQL roll-up writes them.
		slices.SortFunc(t.rows, func(x, y []any) int {
			for i := 1; i <= t.key; i++ {
				if c := compareCell(x[i], y[i]); c != 0 {
					return c
				}
			}
			return 0
		})
		if err := b.write(ctx, t.table, t.cols, t.rows); err != nil {
			return err
		}
	}
	b.rollup = nil
	return nil
}

// compareCell orders two key values of a cell (text or a scope number).
func compareCell(x, y any) int {
	switch x := x.(type) {
	case string:
		return cmp.Compare(x, y.(string))
	case int64:
		return cmp.Compare(x, y.(int64))
	}
	return 0
}
