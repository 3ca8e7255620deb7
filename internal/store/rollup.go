package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"alliance/internal/authz"
	"alliance/internal/domain"
)

// The performance roll-up (migration 00010): every validated disruption is
// counted, in the transaction that validates it, into cells of
// performance_count and performance_outcome at the unit it is reported at
// and at every unit above it, by threat (all, and each of its own), month
// and access scope. A disruption's figures, marking and subjects never
// change once it is stored, so a cell changes only when a disruption
// becomes validated (added) or, reopened by the panel, stops being
// validated (taken away again, in the reopening transaction: see
// removeFromRollup); a change to the reporting structure rebuilds the
// partnership's cells.

// scopeInterner finds or makes the access scope of disruptions inside one
// transaction, remembering what it has read.
type scopeInterner struct {
	s        *Store
	tx       *sql.Tx
	byKey    map[string]int64
	subjects map[string]domain.Marking
}

func (s *Store) newScopeInterner(tx *sql.Tx) *scopeInterner {
	return &scopeInterner{s: s, tx: tx, byKey: map[string]int64{}, subjects: map[string]domain.Marking{}}
}

// subject reads the marking of a group or person (table ocg or entity),
// with its named users, agencies and conditions.
func (si *scopeInterner) subject(ctx context.Context, table, id string) (domain.Marking, error) {
	if m, ok := si.subjects[id]; ok {
		return m, nil
	}
	var m domain.Marking
	var class, handling string
	err := si.tx.QueryRowContext(ctx, `SELECT CAST(partnership_id AS text), CAST(origin_agency_id AS text), classification, handling_code, restricted FROM `+table+` WHERE id = $1`, id).
		Scan(&m.PartnershipID, &m.OriginAgencyID, &class, &handling, &m.Restricted)
	if errors.Is(err, sql.ErrNoRows) {
		return m, domain.NotFound(table, "")
	}
	if err != nil {
		return m, fmt.Errorf("store: marking of %s: %w", table, err)
	}
	m.Classification, m.Handling = domain.Classification(class), domain.HandlingCode(handling)
	if err := loadMarkingRowsFrom(ctx, si.tx, id, &m); err != nil {
		return m, err
	}
	si.subjects[id] = m
	return m, nil
}

// scopeKey is an access scope before it is stored: its key and what the
// scope row keeps of the group and person.
type scopeKey struct {
	key      string
	m, om    domain.Marking
	ocgID    string
	entityID string // only when the person is restricted
}

// keyOf returns the access scope of a disruption with marking m (with its
// named rows) about group ocgID and person entityID (either may be empty).
// The key holds what the access policy reads for counting: the
// disruption's marking, its group's marking, and whether its person is
// restricted and to whom.
func (si *scopeInterner) keyOf(ctx context.Context, m domain.Marking, ocgID, entityID string) (scopeKey, error) {
	k := scopeKey{key: "disruption: " + authz.AccessKey(m), m: m, ocgID: ocgID}
	if ocgID != "" {
		var err error
		if k.om, err = si.subject(ctx, "ocg", ocgID); err != nil {
			return k, err
		}
		k.key += "; group: " + authz.AccessKey(k.om)
	}
	if entityID != "" {
		em, err := si.subject(ctx, "entity", entityID)
		if err != nil {
			return k, err
		}
		if em.Restricted {
			// Counted only by those the person's record names.
			k.key += "; person: " + authz.AccessKey(domain.Marking{Classification: domain.Official, Restricted: true, NamedUsers: em.NamedUsers, NamedAgencies: em.NamedAgencies})
			k.entityID = entityID
		}
	}
	return k, nil
}

// known returns the ID of scope k when it is stored.
func (si *scopeInterner) known(ctx context.Context, k scopeKey) (int64, bool, error) {
	if n, ok := si.byKey[k.key]; ok {
		return n, true, nil
	}
	var n int64
	err := si.tx.QueryRowContext(ctx, `SELECT id FROM performance_scope WHERE partnership_id = $1 AND access_key = $2`, k.m.PartnershipID, k.key).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("store: performance scope: %w", err)
	}
	si.byKey[k.key] = n
	return n, true, nil
}

// make stores scope k, standing for disruption id (already stored), and
// returns its ID; a scope made meanwhile by another transaction is reused.
func (si *scopeInterner) make(ctx context.Context, k scopeKey, id string) (int64, error) {
	if n, ok, err := si.known(ctx, k); err != nil || ok {
		return n, err
	}
	var ocg, oOrigin, entity any
	if k.ocgID != "" {
		ocg, oOrigin = k.ocgID, k.om.OriginAgencyID
	}
	if k.entityID != "" {
		entity = k.entityID
	}
	_, err := si.tx.ExecContext(ctx, `INSERT INTO performance_scope (partnership_id, access_key, disruption_id, classification, handling_code, restricted, origin_agency_id,
		ocg_id, ocg_classification, ocg_handling_code, ocg_restricted, ocg_origin_agency_id, entity_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT (partnership_id, access_key) DO NOTHING`,
		k.m.PartnershipID, k.key, id, string(k.m.Classification), string(k.m.Handling), k.m.Restricted, k.m.OriginAgencyID,
		ocg, string(k.om.Classification), string(k.om.Handling), k.om.Restricted, oOrigin, entity)
	if err != nil {
		return 0, fmt.Errorf("store: performance scope: %w", err)
	}
	n, ok, err := si.known(ctx, k)
	if err == nil && !ok {
		err = fmt.Errorf("store: performance scope %q not stored", k.key)
	}
	return n, err
}

// storedScope returns the scope of a disruption already stored, read
// through the transaction, making it when it is new.
func (si *scopeInterner) storedScope(ctx context.Context, id string) (int64, error) {
	var m domain.Marking
	var class, handling, ocg, entity string
	err := si.tx.QueryRowContext(ctx, `SELECT CAST(partnership_id AS text), CAST(origin_agency_id AS text), classification, handling_code, restricted,
		COALESCE(CAST(ocg_id AS text), ''), COALESCE(CAST(entity_id AS text), '') FROM disruption WHERE id = $1`, id).
		Scan(&m.PartnershipID, &m.OriginAgencyID, &class, &handling, &m.Restricted, &ocg, &entity)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, domain.NotFound("disruption", "")
	}
	if err != nil {
		return 0, fmt.Errorf("store: disruption marking: %w", err)
	}
	m.Classification, m.Handling = domain.Classification(class), domain.HandlingCode(handling)
	if err := loadMarkingRowsFrom(ctx, si.tx, id, &m); err != nil {
		return 0, err
	}
	k, err := si.keyOf(ctx, m, ocg, entity)
	if err != nil {
		return 0, err
	}
	return si.make(ctx, k, id)
}

// rollupChunk is how many disruptions one roll-up statement adds.
const rollupChunk = 500

// quarterSQL is the financial quarter of a month column ("2024-05" →
// "2024-04"): the cells of performance_quarter and performance_outcome
// are keyed by their quarter's first month.
func quarterSQL(col string) string {
	return `CASE WHEN substr(` + col + `, 6, 2) IN ('04', '05', '06') THEN substr(` + col + `, 1, 5) || '04'
		WHEN substr(` + col + `, 6, 2) IN ('07', '08', '09') THEN substr(` + col + `, 1, 5) || '07'
		WHEN substr(` + col + `, 6, 2) IN ('10', '11', '12') THEN substr(` + col + `, 1, 5) || '10'
		ELSE substr(` + col + `, 1, 5) || '01' END`
}

// quarterOf is quarterSQL in Go: the first month of the financial quarter
// of month ("2024-05" → "2024-04"); "" when month is not "YYYY-MM".
func quarterOf(month string) string {
	if len(month) != 7 || month[4] != '-' {
		return ""
	}
	switch month[5:] {
	case "04", "05", "06":
		return month[:5] + "04"
	case "07", "08", "09":
		return month[:5] + "07"
	case "10", "11", "12":
		return month[:5] + "10"
	case "01", "02", "03":
		return month[:5] + "01"
	}
	return ""
}

// rollupTables are the roll-up's cells, each with the column its period
// is in.
var rollupTables = []struct{ table, period string }{{"performance_month", "month"}, {"performance_quarter", "quarter"}, {"performance_outcome", "quarter"}}

// addToRollup counts the validated disruptions with ids into the cells.
func (s *Store) addToRollup(ctx context.Context, tx *sql.Tx, ids []string) error {
	for start := 0; start < len(ids); start += rollupChunk {
		var args Args
		where := idIn("d.id", ids[start:min(start+rollupChunk, len(ids))], &args) + " AND d.status = 'validated' AND d.scope_id IS NOT NULL"
		if err := s.rollup(ctx, tx, where, args.Values(), false); err != nil {
			return err
		}
	}
	return nil
}

// removeFromRollup takes the validated disruption id out of the cells it
// was counted into, for the panel's reopening of it. It must run in the
// reopening transaction before the disruption leaves validated, while its
// row still holds the category, impact and scope it was counted by; a
// disruption that is not validated (someone else reopened it meanwhile)
// is left alone, and the status change that follows fails. Cells left at
// 0 are deleted, so that the cells are the same as a recount's; a cell
// that would fall below 0 means the cells and the records disagree, and
// fails the transaction rather than hide it.
func (s *Store) removeFromRollup(ctx context.Context, tx *sql.Tx, id string) error {
	var pid, month string
	var scope int64
	err := tx.QueryRowContext(ctx, `SELECT CAST(partnership_id AS text), month, scope_id FROM disruption WHERE id = $1 AND status = 'validated' AND scope_id IS NOT NULL`, id).
		Scan(&pid, &month, &scope)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("store: disruption to take out of the roll-up: %w", err)
	}
	var args Args
	where := idIn("d.id", []string{id}, &args) + " AND d.status = 'validated' AND d.scope_id IS NOT NULL"
	if err := s.rollup(ctx, tx, where, args.Values(), true); err != nil {
		return err
	}
	// The units the disruption was counted at: its own and every one above.
	units, err := collect(ctx, tx, "units above a disruption", `WITH RECURSIVE up (anc_id, depth) AS (
		SELECT u.id, 0 FROM org_unit u WHERE u.id = (SELECT unit_id FROM disruption WHERE id = $1)
		UNION ALL
		SELECT p.parent_id, up.depth + 1 FROM up JOIN org_unit p ON p.id = up.anc_id WHERE p.parent_id IS NOT NULL AND up.depth < 16)
		SELECT CAST(anc_id AS text) FROM up`, []any{id}, func(r *sql.Rows) (string, error) { var u string; err := r.Scan(&u); return u, err })
	if err != nil {
		return err
	}
	for _, t := range rollupTables {
		cells := Args{}
		period := month
		if t.period == "quarter" {
			period = quarterOf(month)
		}
		// The key's leading columns, so both engines go straight to the cells.
		which := `partnership_id = ` + cells.Add(pid) + ` AND ` + idIn("unit_id", units, &cells) + ` AND ` + t.period + ` = ` + cells.Add(period) +
			` AND scope_id = ` + cells.Add(scope)
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+t.table+` WHERE `+which+` AND n = 0`, cells.Values()...); err != nil {
			return fmt.Errorf("store: empty cells of %s: %w", t.table, err)
		}
		var below int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM `+t.table+` WHERE `+which+` AND n < 0`, cells.Values()...).Scan(&below); err != nil {
			return fmt.Errorf("store: check %s: %w", t.table, err)
		}
		if below > 0 {
			return fmt.Errorf("store: taking disruption %s out of the roll-up leaves %d cells of %s below 0: rebuild the partnership's cells", id, below, t.table)
		}
	}
	return nil
}

// RebuildRollup recounts a partnership's cells from its validated
// disruptions, giving a scope to any that have none (disruptions validated
// before the roll-up existed). Changing the reporting structure calls it.
func (s *Store) RebuildRollup(ctx context.Context, tx *sql.Tx, partnershipID string) error {
	type unscoped struct {
		id, ocg, entity string
		m               domain.Marking
	}
	list, err := collect(ctx, tx, "disruptions without a scope", `SELECT CAST(id AS text), CAST(partnership_id AS text), CAST(origin_agency_id AS text),
		classification, handling_code, restricted, COALESCE(CAST(ocg_id AS text), ''), COALESCE(CAST(entity_id AS text), '')
		FROM disruption WHERE partnership_id = $1 AND status = 'validated' AND scope_id IS NULL ORDER BY id`,
		[]any{partnershipID}, func(r *sql.Rows) (unscoped, error) {
			var u unscoped
			var class, handling string
			err := r.Scan(&u.id, &u.m.PartnershipID, &u.m.OriginAgencyID, &class, &handling, &u.m.Restricted, &u.ocg, &u.entity)
			u.m.Classification, u.m.Handling = domain.Classification(class), domain.HandlingCode(handling)
			return u, err
		})
	if err != nil {
		return err
	}
	// Disruptions grouped by scope: one scope row and one update per
	// chunk of each, not a statement per disruption.
	si := s.newScopeInterner(tx)
	var pending []pendingScope
	at := map[string]int{} // where each key is in pending
	for _, u := range list {
		if u.m.Restricted || u.m.Handling == domain.HandlingC {
			// Only these have named rows the key reads.
			if err := loadMarkingRowsFrom(ctx, tx, u.id, &u.m); err != nil {
				return err
			}
		}
		k, err := si.keyOf(ctx, u.m, u.ocg, u.entity)
		if err != nil {
			return err
		}
		if j, ok := at[k.key]; ok {
			pending[j].ids = append(pending[j].ids, u.id)
		} else {
			at[k.key] = len(pending)
			pending = append(pending, pendingScope{ids: []string{u.id}, k: k})
		}
	}
	if err := s.makeScopes(ctx, tx, si, pending); err != nil {
		return err
	}
	for _, t := range rollupTables {
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+t.table+` WHERE partnership_id = $1`, partnershipID); err != nil {
			return fmt.Errorf("store: rebuild %s: %w", t.table, err)
		}
	}
	return s.rollup(ctx, tx, "d.partnership_id = $1 AND d.status = 'validated' AND d.scope_id IS NOT NULL", []any{partnershipID}, false)
}

// BuildRollup rebuilds the cells of every partnership holding validated
// disruptions without a scope: after the migration that made the roll-up,
// on a database that already held disruptions. It does nothing when there
// are none, so every migration run calls it.
func (s *Store) BuildRollup(ctx context.Context) error {
	pids, err := collect(ctx, s.wdb, "partnerships to roll up", `SELECT DISTINCT CAST(partnership_id AS text) FROM disruption WHERE status = 'validated' AND scope_id IS NULL`,
		nil, func(r *sql.Rows) (string, error) { var id string; err := r.Scan(&id); return id, err })
	if err != nil {
		return err
	}
	for _, pid := range pids {
		if err := s.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error { return s.RebuildRollup(ctx, tx, pid) }); err != nil {
			return err
		}
	}
	return nil
}

// rollup adds the disruptions where admits (a condition on d, with its
// parameters in args) to the cells of every unit at or above their own
// that is not a ward, or, with remove, takes them away again. Each
// statement groups by the whole key, so no cell is written twice, and
// writes its cells in key order, so that two transactions counting into
// the same cells take their locks in the same order.
func (s *Store) rollup(ctx context.Context, tx *sql.Tx, where string, args []any, remove bool) error {
	// Taking away is adding the negated figures: the same statements, the
	// same cells, the same lock order.
	sign := ""
	if remove {
		sign = "-"
	}
	// up pairs each unit the disruptions are reported at with itself and
	// every unit above it (a structure is at most a few levels deep; the
	// depth bound stops a cycle written by mistake from running forever);
	// the cells are kept at those that are not wards.
	up := `WITH RECURSIVE up (unit_id, anc_id, depth) AS (
		SELECT u.id, u.id, 0 FROM org_unit u WHERE u.id IN (SELECT d.unit_id FROM disruption d WHERE ` + where + `)
		UNION ALL
		SELECT up.unit_id, p.parent_id, up.depth + 1 FROM up JOIN org_unit p ON p.id = up.anc_id WHERE p.parent_id IS NOT NULL AND up.depth < 16)
	`
	from := ` FROM disruption d JOIN up ON up.unit_id = d.unit_id JOIN org_unit a ON a.id = up.anc_id AND a.level <> 'ward'`
	count := func(col, value string) string {
		return sign + `sum(CASE WHEN d.` + col + ` = '` + value + `' THEN 1 ELSE 0 END)`
	}
	sums := []string{sign + "count(*)"}
	cols := []string{"n"}
	for _, p := range domain.FourPs {
		sums, cols = append(sums, count("validated_four_p", string(p))), append(cols, string(p))
	}
	for _, i := range domain.Impacts {
		sums, cols = append(sums, count("validated_impact", string(i))), append(cols, impactColumn(i))
	}
	set := make([]string, len(cols))
	for i, c := range cols {
		set[i] = c + " = performance_month." + c + " + excluded." + c
	}
	quarter := quarterSQL("d.month")
	statements := []struct{ table, sql string }{
		{"performance_month", `INSERT INTO performance_month (partnership_id, unit_id, month, scope_id, ` + strings.Join(cols, ", ") + `)
			SELECT d.partnership_id, up.anc_id, d.month, d.scope_id, ` + strings.Join(sums, ", ") + from + ` WHERE ` + where + `
			GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
			ON CONFLICT (partnership_id, unit_id, month, scope_id) DO UPDATE SET ` + strings.Join(set, ", ")},
	}
	// Every disruption is counted once with threat '' and once more for
	// each of its threats.
	for _, th := range []struct{ col, join string }{{"''", ""}, {"t.threat_code", " JOIN disruption_threat t ON t.disruption_id = d.id"}} {
		statements = append(statements, struct{ table, sql string }{"performance_quarter",
			`INSERT INTO performance_quarter (partnership_id, unit_id, threat_code, quarter, scope_id, n)
			SELECT d.partnership_id, up.anc_id, ` + th.col + `, ` + quarter + `, d.scope_id, ` + sign + `count(*)` + from + th.join + ` WHERE ` + where + `
			GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
			ON CONFLICT (partnership_id, unit_id, threat_code, quarter, scope_id) DO UPDATE SET n = performance_quarter.n + excluded.n`})
	}
	statements = append(statements, struct{ table, sql string }{"performance_outcome",
		`INSERT INTO performance_outcome (partnership_id, unit_id, quarter, scope_id, outcome_type, seizure_type, agency, n, quantity, months, value_pence)
		SELECT d.partnership_id, up.anc_id, ` + quarter + `, d.scope_id, o.outcome_type, COALESCE(o.seizure_type, ''),
			CASE WHEN o.seizure_type IS NULL THEN '' ELSE CAST(COALESCE(o.agency_id, d.lead_agency_id) AS text) END,
			` + sign + `count(*), ` + sign + `COALESCE(sum(o.quantity), 0), ` + sign + `COALESCE(sum(o.months), 0), ` + sign + `COALESCE(sum(o.value_pence), 0)
		` + from + ` JOIN disruption_outcome o ON o.disruption_id = d.id WHERE ` + where + `
		GROUP BY 1, 2, 3, 4, 5, 6, 7 ORDER BY 1, 2, 3, 4, 5, 6, 7
		ON CONFLICT (partnership_id, unit_id, quarter, scope_id, outcome_type, seizure_type, agency) DO UPDATE SET n = performance_outcome.n + excluded.n,
			quantity = performance_outcome.quantity + excluded.quantity, months = performance_outcome.months + excluded.months,
			value_pence = performance_outcome.value_pence + excluded.value_pence`})
	for _, q := range statements {
		if _, err := tx.ExecContext(ctx, up+q.sql, args...); err != nil {
			return fmt.Errorf("store: roll up %s: %w", q.table, err)
		}
	}
	return nil
}

// impactColumn is the column of performance_month that counts impact i
// ("none" is spelt no_impact).
func impactColumn(i domain.Impact) string {
	if i == domain.ImpactNone {
		return "no_impact"
	}
	return string(i)
}

// scopesVisible is the condition that a cell's scope is one whose
// disruptions actor may count (act) under policy: the same rule as
// performanceWhere, applied to the scope's disruption, group and person.
func scopesVisible(policy authz.Policy, actor domain.Actor, act authz.Action, col string, args *Args) string {
	return col + " IN (SELECT s.id FROM performance_scope s WHERE " + scopePredicate(policy, actor, act, args) + ")"
}

// scopePredicate is scopesVisible's condition on a scope (alias s).
func scopePredicate(policy authz.Policy, actor domain.Actor, act authz.Action, args *Args) string {
	d := markingColumns{ID: "s.disruption_id", Partnership: "s.partnership_id", Origin: "s.origin_agency_id", Classification: "s.classification",
		Handling: "s.handling_code", Restricted: "s.restricted"}
	o := markingColumns{ID: "s.ocg_id", Partnership: "s.partnership_id", Origin: "s.ocg_origin_agency_id", Classification: "s.ocg_classification",
		Handling: "s.ocg_handling_code", Restricted: "s.ocg_restricted"}
	var b strings.Builder
	b.WriteString(predicateOn(policy, actor, act, domain.KindDisruption, d, args))
	b.WriteString(" AND (s.ocg_id IS NULL OR " + predicateOn(policy, actor, authz.View, domain.KindOCG, o, args) + ")")
	b.WriteString(" AND (s.entity_id IS NULL OR EXISTS (SELECT 1 FROM record_grant g WHERE g.record_id = s.entity_id AND (g.user_id = " +
		args.Add(actor.UserID) + " OR g.agency_id = " + args.Add(actor.AgencyID) + ")))")
	return b.String()
}
