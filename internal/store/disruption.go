package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"alliance/internal/authz"
	"alliance/internal/domain"
	"alliance/internal/store/dialect"
)

// Tactics returns the active tactics in display order.
func (s *Store) Tactics(ctx context.Context) ([]domain.Tactic, error) {
	return collect(ctx, s.rdb, "tactics", `SELECT code, name, partner FROM tactic WHERE active ORDER BY sort_order, code`, nil,
		func(r *sql.Rows) (domain.Tactic, error) {
			var t domain.Tactic
			err := r.Scan(&t.Code, &t.Name, &t.Partner)
			return t, err
		})
}

// OutcomeTypes returns the active outcome types in display order.
func (s *Store) OutcomeTypes(ctx context.Context) ([]domain.OutcomeType, error) {
	return collect(ctx, s.rdb, "outcome types", `SELECT code, name, measure FROM outcome_type WHERE active ORDER BY sort_order, code`, nil,
		func(r *sql.Rows) (domain.OutcomeType, error) {
			var t domain.OutcomeType
			var m string
			err := r.Scan(&t.Code, &t.Name, &m)
			t.Measure = domain.Measure(m)
			return t, err
		})
}

// SeizureTypes returns the active seizure types in display order.
func (s *Store) SeizureTypes(ctx context.Context) ([]domain.SeizureType, error) {
	return collect(ctx, s.rdb, "seizure types", `SELECT code, name, cash FROM seizure_type WHERE active ORDER BY sort_order, code`, nil,
		func(r *sql.Rows) (domain.SeizureType, error) {
			var t domain.SeizureType
			err := r.Scan(&t.Code, &t.Name, &t.Cash)
			return t, err
		})
}

// InsertActivity stores a new activity, numbering it ACT-000001 when it has
// no reference.
func (s *Store) InsertActivity(ctx context.Context, tx *sql.Tx, a *domain.Activity) error {
	list := []domain.Activity{*a}
	err := s.InsertActivities(ctx, tx, list)
	*a = list[0]
	return err
}

// CloseActivity records the day an activity closed.
func (s *Store) CloseActivity(ctx context.Context, tx *sql.Tx, id string, on string) error {
	res, err := tx.ExecContext(ctx, `UPDATE activity SET closed_on = $2, updated_at = $3 WHERE id = $1 AND closed_on IS NULL AND opened_on <= $2`, id, on, s.Now())
	if err != nil {
		return fmt.Errorf("store: close activity: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("the activity is already closed, or closes before it opened: %w", domain.ErrConflict)
	}
	return nil
}

// Activities returns the activities actor may see under policy, newest
// first, open ones only when open is set.
func (s *Store) Activities(ctx context.Context, policy authz.Policy, actor domain.Actor, open bool, limit int) ([]domain.Activity, error) {
	return s.activities(ctx, policy, actor, open, "", limit)
}

// Activity returns one activity actor may see, with its marking rows, or
// domain.ErrNotFound.
func (s *Store) Activity(ctx context.Context, policy authz.Policy, actor domain.Actor, id string) (domain.Activity, error) {
	list, err := s.activities(ctx, policy, actor, false, id, 1)
	if err != nil {
		return domain.Activity{}, err
	}
	if len(list) == 0 {
		return domain.Activity{}, domain.NotFound("activity", "")
	}
	a := list[0]
	return a, s.loadMarkingRows(ctx, a.ID, &a.Marking)
}

func (s *Store) activities(ctx context.Context, policy authz.Policy, actor domain.Actor, open bool, id string, limit int) ([]domain.Activity, error) {
	var args Args
	vis := predicate(policy, actor, authz.List, domain.KindDisruption, "a", &args) + " AND " + activityGroupVisible(policy, actor, &args)
	if id != "" {
		vis += " AND " + idIn("a.id", []string{id}, &args)
	}
	q := `SELECT a.id, a.reference, a.title, a.kind, COALESCE(CAST(a.ocg_id AS text), ''), a.lead_agency_id, a.apmis_ref, a.opened_on, a.closed_on,
		a.partnership_id, a.origin_agency_id, a.classification, a.handling_code, a.restricted
		FROM activity a WHERE ` + vis
	if open {
		q += ` AND a.closed_on IS NULL`
	}
	q += ` ORDER BY a.opened_on DESC, a.reference LIMIT ` + args.Add(limit)
	return collect(ctx, s.rdb, "activities", q, args.Values(), func(r *sql.Rows) (domain.Activity, error) {
		var a domain.Activity
		var opened, closed sql.NullString
		var class, handling string
		err := r.Scan(&a.ID, &a.Reference, &a.Title, &a.Kind, &a.OCGID, &a.LeadAgencyID, &a.APMISRef, &opened, &closed,
			&a.Marking.PartnershipID, &a.Marking.OriginAgencyID, &class, &handling, &a.Marking.Restricted)
		if o := day(opened); o != nil {
			a.OpenedOn = *o
		}
		a.ClosedOn = day(closed)
		a.Marking.Classification, a.Marking.Handling = domain.Classification(class), domain.HandlingCode(handling)
		return a, err
	})
}

var (
	disruptionCols = []string{"id", "partnership_id", "reference", "activity_id", "subject_kind", "ocg_id", "entity_id", "theme", "four_p", "impact", "rationale",
		"validated_four_p", "validated_impact", "disrupted_on", "fiscal_year", "month", "unit_id", "lead_agency_id", "narrative", "status", "apmis_ref", "apmis_status",
		"classification", "handling_code", "handling_conditions", "restricted", "origin_agency_id", "created_by", "created_at", "updated_at", "scope_id"}
	outcomeCols = []string{"id", "partnership_id", "disruption_id", "outcome_type", "seizure_type", "drug_class", "agency_id", "quantity", "grams", "value_pence", "months", "note"}
)

// disruptionRows adds the rows of d and its sets to rows, by table,
// filling the outcomes' IDs. scope is its access scope's ID, or nil.
func (s *Store) disruptionRows(d *domain.Disruption, scope any, rows map[string][][]any) {
	pid := d.Marking.PartnershipID
	m := d.Marking
	var vp, vi any
	if d.ValidatedFourP != "" {
		vp, vi = string(d.ValidatedFourP), string(d.ValidatedImpact)
	}
	apmis := d.APMISStatus
	if apmis == "" {
		apmis = "not_submitted"
	}
	rows["disruption"] = append(rows["disruption"], []any{d.ID, pid, d.Reference, nullIfEmpty(d.ActivityID), string(d.Subject), nullIfEmpty(d.OCGID), nullIfEmpty(d.EntityID),
		d.Theme, string(d.FourP), string(d.Impact), d.Rationale, vp, vi, domain.Day(&d.On), int(domain.FiscalYearOf(d.On)), domain.MonthKey(d.On),
		d.UnitID, d.LeadAgencyID, d.Narrative, string(d.Status), d.APMISRef, apmis,
		string(m.Classification), string(m.Handling), d.HandlingNote, m.Restricted, m.OriginAgencyID, d.CreatedBy, d.CreatedAt, d.UpdatedAt, scope})
	for _, a := range appendUniqueStr(nil, d.Agencies...) {
		if a != d.LeadAgencyID {
			rows["disruption_agency"] = append(rows["disruption_agency"], []any{pid, d.ID, a})
		}
	}
	for _, t := range appendUniqueStr(nil, d.Tactics...) {
		rows["disruption_tactic"] = append(rows["disruption_tactic"], []any{pid, d.ID, t})
	}
	for _, t := range appendUniqueStr(nil, d.Threats...) {
		rows["disruption_threat"] = append(rows["disruption_threat"], []any{pid, d.ID, t})
	}
	for i := range d.Outcomes {
		o := &d.Outcomes[i]
		if o.ID == "" {
			o.ID = s.NewID()
		}
		rows["disruption_outcome"] = append(rows["disruption_outcome"], []any{o.ID, pid, d.ID, o.Type, nullIfEmpty(o.SeizureType), nullIfEmpty(o.DrugClass),
			nullIfEmpty(o.AgencyID), o.Quantity, o.Grams, o.ValuePence, o.Months, o.Note})
	}
}

// InsertDisruptions stores new disruptions of one partnership with their
// agencies, tactics, threats and outcomes, numbering those without a
// reference D-2023-000001 by the financial year they fall in, a table's
// rows written together. Validated ones are counted into the performance
// roll-up in the same transaction. A disruption that breaks a rule of
// domain.Disruption.Validate (one without a threat, say) fails the whole
// call with that *domain.ValidationError, before anything is written.
func (s *Store) InsertDisruptions(ctx context.Context, tx *sql.Tx, list []domain.Disruption) error {
	return s.insertDisruptions(ctx, tx, list, true)
}

// LoadDisruptions stores disruptions as InsertDisruptions does, giving
// validated ones their access scope, but does not count them into the
// performance roll-up. It is for bulk loads of many thousands (the
// benchmark generator): counting each batch as it is written updates the
// same cells again and again, and one recount at the end writes each cell
// once. The caller must call RebuildRollup for the partnership once the
// load is done; until then its figures leave the loaded disruptions out.
func (s *Store) LoadDisruptions(ctx context.Context, tx *sql.Tx, list []domain.Disruption) error {
	return s.insertDisruptions(ctx, tx, list, false)
}

// pendingScope is a roll-up scope that is new, and the validated
// disruptions that have it: it is made once they are stored.
type pendingScope struct {
	ids []string
	k   scopeKey
}

// fillDisruptions gives the disruptions in list what a new one lacks: its
// ID, its times (now) and its reference, the partnership's next, in list
// order; the numbers of all of them come from the partnership's counter
// in one step.
func (s *Store) fillDisruptions(ctx context.Context, tx *sql.Tx, list []domain.Disruption, now time.Time) error {
	need := 0
	for i := range list {
		if list[i].Reference == "" {
			need++
		}
	}
	var next int64
	if need > 0 {
		var err error
		if next, err = s.reserveNumbers(ctx, tx, list[0].Marking.PartnershipID, "disruption", need); err != nil {
			return err
		}
	}
	for i := range list {
		d := &list[i]
		if d.Marking.PartnershipID != list[0].Marking.PartnershipID {
			return fmt.Errorf("store: insert disruptions: records of two partnerships in one batch")
		}
		s.fillIDTime(&d.ID, &d.CreatedAt, now)
		if d.UpdatedAt.IsZero() {
			d.UpdatedAt = d.CreatedAt
		}
		if d.Reference == "" {
			d.Reference = fmt.Sprintf("D-%06d", next)
			next++
		}
	}
	return nil
}

// writeDisruptionRows writes the rows disruptionRows collected, table by
// table.
func (s *Store) writeDisruptionRows(ctx context.Context, tx *sql.Tx, rows map[string][][]any) error {
	for _, t := range disruptionTables() {
		if err := dialect.InsertRows(ctx, s.d, tx, t.table, t.cols, rows[t.table]); err != nil {
			return s.mapInsertErr(fmt.Errorf("store: insert %s: %w", t.table, err), "disruption")
		}
	}
	return nil
}

// disruptionTable is a table disruptionBatch gives rows for, with its
// columns, in the order they are written.
type disruptionTable struct {
	table string
	cols  []string
}

func disruptionTables() []disruptionTable {
	return []disruptionTable{{"disruption", disruptionCols}, {"disruption_agency", []string{"partnership_id", "disruption_id", "agency_id"}},
		{"disruption_tactic", []string{"partnership_id", "disruption_id", "tactic_code"}}, {"disruption_threat", []string{"partnership_id", "disruption_id", "threat_code"}},
		{"disruption_outcome", outcomeCols}, {"record_condition", conditionCols}, {"record_grant", grantCols}}
}

func (s *Store) insertDisruptions(ctx context.Context, tx *sql.Tx, list []domain.Disruption, count bool) error {
	if len(list) == 0 {
		return nil
	}
	si := s.newScopeInterner(tx)
	rows, validated, newScopes, err := s.disruptionBatch(ctx, tx, si, list)
	if err != nil {
		return err
	}
	if err := s.writeDisruptionRows(ctx, tx, rows); err != nil {
		return err
	}
	if err := s.makeScopes(ctx, tx, si, newScopes); err != nil {
		return err
	}
	if !count {
		return nil
	}
	return s.addToRollup(ctx, tx, validated)
}

// disruptionBatch checks list against the domain's rules, fills what new
// disruptions lack, and returns their rows by table (their markings'
// conditions and grants included), the IDs of the validated ones, and
// the validated ones whose access scope is new (made by makeScopes once
// they are stored); the others' rows carry their scope.
func (s *Store) disruptionBatch(ctx context.Context, tx *sql.Tx, si *scopeInterner, list []domain.Disruption) (map[string][][]any, []string, []pendingScope, error) {
	// The domain's rules hold for every writer (the service checks them
	// field by field first; loaders, the demo and the generator meet them
	// here), before anything is written.
	for i, d := range list {
		if err := d.Validate(); err != nil {
			return nil, nil, nil, fmt.Errorf("store: disruption %d of %d %s: %w", i+1, len(list), d.Reference, err)
		}
	}
	if err := s.fillDisruptions(ctx, tx, list, s.Now()); err != nil {
		return nil, nil, nil, err
	}
	rows := map[string][][]any{}
	var validated []string
	var newScopes []pendingScope
	pending := map[string]int{} // where each new scope is in newScopes
	for i := range list {
		d := &list[i]
		var scope any
		if d.Status == domain.DisruptionValidated {
			k, err := si.keyOf(ctx, d.Marking, d.OCGID, d.EntityID)
			if err != nil {
				return nil, nil, nil, err
			}
			if j, ok := pending[k.key]; ok {
				newScopes[j].ids = append(newScopes[j].ids, d.ID)
			} else if n, ok, err := si.known(ctx, k); err != nil {
				return nil, nil, nil, err
			} else if ok {
				scope = n
			} else {
				pending[k.key] = len(newScopes)
				newScopes = append(newScopes, pendingScope{ids: []string{d.ID}, k: k})
			}
			validated = append(validated, d.ID)
		}
		s.disruptionRows(d, scope, rows)
		rows["record_condition"], rows["record_grant"] = markingRows(rows["record_condition"], rows["record_grant"], d.ID, d.Marking)
	}
	return rows, validated, newScopes, nil
}

// makeScopes stores the new scopes, each standing for the first disruption
// that has it (so it is made once that disruption is stored), and gives
// each scope's disruptions its ID, a chunk of them a statement.
func (s *Store) makeScopes(ctx context.Context, tx *sql.Tx, si *scopeInterner, newScopes []pendingScope) error {
	for _, p := range newScopes {
		n, err := si.make(ctx, p.k, p.ids[0])
		if err != nil {
			return err
		}
		for start := 0; start < len(p.ids); start += rollupChunk {
			args := Args{}
			scope := args.Add(n)
			if _, err := tx.ExecContext(ctx, `UPDATE disruption SET scope_id = `+scope+` WHERE `+idIn("id", p.ids[start:min(start+rollupChunk, len(p.ids))], &args),
				args.Values()...); err != nil {
				return fmt.Errorf("store: disruption scope: %w", err)
			}
		}
	}
	return nil
}

// SetDisruptionStatus moves a disruption from one status to another and
// records the decision, failing with ErrConflict when it is no longer in
// from (someone else decided meanwhile). Validating sets the category and
// impact that count and counts the disruption into the performance
// roll-up; moving it out of validated (the panel reopening it) clears them
// and takes it out of the roll-up again, all in tx.
func (s *Store) SetDisruptionStatus(ctx context.Context, tx *sql.Tx, partnershipID, id string, dec *domain.DisruptionDecision) error {
	if dec.ID == "" {
		dec.ID = s.NewID()
	}
	if dec.At.IsZero() {
		dec.At = s.Now()
	}
	if dec.From == domain.DisruptionValidated && dec.To != domain.DisruptionValidated {
		// Take the row first, so that of two reopenings the second waits
		// for the first and then finds it no longer validated, before
		// either touches a cell.
		res, err := tx.ExecContext(ctx, `UPDATE disruption SET updated_at = $3 WHERE id = $1 AND partnership_id = $2 AND status = 'validated'`, id, partnershipID, dec.At)
		if err != nil {
			return fmt.Errorf("store: disruption status: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fmt.Errorf("the disruption was changed by someone else meanwhile: reload it and try again: %w", domain.ErrConflict)
		}
		// Uncounted while the row still holds what it was counted by.
		if err := s.removeFromRollup(ctx, tx, id); err != nil {
			return err
		}
	}
	var vp, vi any
	if dec.To == domain.DisruptionValidated {
		vp, vi = string(dec.FourP), string(dec.Impact)
	}
	res, err := tx.ExecContext(ctx, `UPDATE disruption SET status = $3, validated_four_p = $4, validated_impact = $5, updated_at = $6
		WHERE id = $1 AND partnership_id = $2 AND status = $7`, id, partnershipID, string(dec.To), vp, vi, dec.At, string(dec.From))
	if err != nil {
		return fmt.Errorf("store: disruption status: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("the disruption was changed by someone else meanwhile: reload it and try again: %w", domain.ErrConflict)
	}
	if dec.To == domain.DisruptionValidated {
		// The disruption counts from now on (until the panel reopens it).
		n, err := s.newScopeInterner(tx).storedScope(ctx, id)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE disruption SET scope_id = $2 WHERE id = $1`, id, n); err != nil {
			return fmt.Errorf("store: disruption scope: %w", err)
		}
		if err := s.addToRollup(ctx, tx, []string{id}); err != nil {
			return err
		}
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO disruption_decision (id, partnership_id, disruption_id, from_status, to_status, four_p, impact, reason, actor_id, at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, dec.ID, partnershipID, id, string(dec.From), string(dec.To), string(dec.FourP), string(dec.Impact),
		dec.Reason, dec.ActorID, dec.At)
	if err != nil {
		return fmt.Errorf("store: disruption decision: %w", err)
	}
	return nil
}

// DisruptionQuery reads disruptions for one actor, starting from the
// access policy's predicate like every scoped query. A disruption about a
// group the actor may not see is not shown either.
type DisruptionQuery struct {
	s     *Store
	args  Args
	conds []string
	order string
}

// NewDisruptionQuery starts a query for actor doing act under policy.
func (s *Store) NewDisruptionQuery(policy authz.Policy, actor domain.Actor, act authz.Action) *DisruptionQuery {
	q := &DisruptionQuery{s: s, order: "d.disrupted_on DESC, d.reference DESC"}
	q.conds = append(q.conds, predicate(policy, actor, act, domain.KindDisruption, "d", &q.args), subjectsVisible(policy, actor, &q.args, false))
	return q
}

// subjectsVisible is the condition that a disruption's group and person,
// when it has them, are ones actor may see: a disruption about a record
// the viewer may not see is not shown or counted either. For figures
// (aggregate), a person only has to be one actor is not kept from by
// need-to-know: board members count disruptions against individuals
// without holding any permission on people, and see only the figures.
func subjectsVisible(policy authz.Policy, actor domain.Actor, args *Args, aggregate bool) string {
	group := "(d.ocg_id IS NULL OR EXISTS (SELECT 1 FROM ocg o WHERE o.id = d.ocg_id AND " + predicate(policy, actor, authz.View, domain.KindOCG, "o", args) + "))"
	if aggregate {
		return group + " AND (d.entity_id IS NULL OR EXISTS (SELECT 1 FROM entity e WHERE e.id = d.entity_id AND (NOT e.restricted OR EXISTS (SELECT 1 FROM record_grant g" +
			" WHERE g.record_id = e.id AND (g.user_id = " + args.Add(actor.UserID) + " OR g.agency_id = " + args.Add(actor.AgencyID) + ")))))"
	}
	return group + " AND (d.entity_id IS NULL OR EXISTS (SELECT 1 FROM entity e WHERE e.id = d.entity_id AND " + predicate(policy, actor, authz.View, domain.KindEntity, "e", args) + "))"
}

// activityGroupVisible is the condition that an activity's group, when it
// has one, is one actor may see.
func activityGroupVisible(policy authz.Policy, actor domain.Actor, args *Args) string {
	return "(a.ocg_id IS NULL OR EXISTS (SELECT 1 FROM ocg o WHERE o.id = a.ocg_id AND " + predicate(policy, actor, authz.View, domain.KindOCG, "o", args) + "))"
}

// WithID limits the query to one disruption.
func (q *DisruptionQuery) WithID(id string) *DisruptionQuery {
	q.conds = append(q.conds, idIn("d.id", []string{id}, &q.args))
	return q
}

// WithStatus keeps disruptions in status.
func (q *DisruptionQuery) WithStatus(st domain.DisruptionStatus) *DisruptionQuery {
	if st != "" {
		q.conds = append(q.conds, "d.status = "+q.args.Add(string(st)))
	}
	return q
}

// WithOCG keeps the disruptions of one group.
func (q *DisruptionQuery) WithOCG(id string) *DisruptionQuery {
	q.conds = append(q.conds, idIn("d.ocg_id", []string{id}, &q.args))
	return q
}

const disruptionSelect = `SELECT d.id, d.reference, COALESCE(CAST(d.activity_id AS text), ''), d.subject_kind, COALESCE(CAST(d.ocg_id AS text), ''),
	COALESCE(CAST(d.entity_id AS text), ''), d.theme, d.four_p, d.impact, d.rationale, COALESCE(d.validated_four_p, ''), COALESCE(d.validated_impact, ''),
	d.disrupted_on, d.unit_id, d.lead_agency_id, d.narrative, d.status, d.apmis_ref, d.apmis_status,
	d.partnership_id, d.origin_agency_id, d.classification, d.handling_code, d.handling_conditions, d.restricted, d.created_by, d.created_at, d.updated_at,
	COALESCE(dso.name, ''), COALESCE(dse.name, ''), COALESCE(dsu.display_name, '')
	FROM disruption d LEFT JOIN ocg dso ON dso.id = d.ocg_id LEFT JOIN entity dse ON dse.id = d.entity_id LEFT JOIN app_user dsu ON dsu.id = d.created_by`

func scanDisruption(r *sql.Rows) (domain.Disruption, error) {
	var d domain.Disruption
	var subject, fp, imp, vfp, vimp, status, class, handling string
	var on sql.NullString
	err := r.Scan(&d.ID, &d.Reference, &d.ActivityID, &subject, &d.OCGID, &d.EntityID, &d.Theme, &fp, &imp, &d.Rationale, &vfp, &vimp,
		&on, &d.UnitID, &d.LeadAgencyID, &d.Narrative, &status, &d.APMISRef, &d.APMISStatus,
		&d.Marking.PartnershipID, &d.Marking.OriginAgencyID, &class, &handling, &d.HandlingNote, &d.Marking.Restricted, &d.CreatedBy, &d.CreatedAt, &d.UpdatedAt,
		&d.OCGName, &d.EntityName, &d.CreatedByName)
	d.Subject, d.FourP, d.Impact = domain.SubjectKind(subject), domain.FourP(fp), domain.Impact(imp)
	d.ValidatedFourP, d.ValidatedImpact, d.Status = domain.FourP(vfp), domain.Impact(vimp), domain.DisruptionStatus(status)
	d.Marking.Classification, d.Marking.Handling = domain.Classification(class), domain.HandlingCode(handling)
	if t := day(on); t != nil {
		d.On = *t
	}
	d.CreatedAt, d.UpdatedAt = d.CreatedAt.UTC(), d.UpdatedAt.UTC()
	return d, err
}

// List returns up to limit disruptions, newest first (or as LongestWaiting
// says), with their sets and outcomes.
func (q *DisruptionQuery) List(ctx context.Context, limit int) ([]domain.Disruption, error) {
	args := q.args
	list, err := collect(ctx, q.s.rdb, "list disruptions", disruptionSelect+` WHERE `+strings.Join(q.conds, " AND ")+
		` ORDER BY `+q.order+` LIMIT `+args.Add(limit), args.Values(), scanDisruption)
	if err != nil {
		return nil, err
	}
	return list, q.s.loadDisruptionSets(ctx, list)
}

// Get returns the one disruption the query admits, or domain.ErrNotFound.
func (q *DisruptionQuery) Get(ctx context.Context) (domain.Disruption, error) {
	list, err := q.List(ctx, 1)
	if err != nil {
		return domain.Disruption{}, err
	}
	if len(list) == 0 {
		return domain.Disruption{}, domain.NotFound("disruption", "")
	}
	d := list[0]
	if err := q.s.loadMarkingRows(ctx, d.ID, &d.Marking); err != nil {
		return d, err
	}
	return d, nil
}

// Count returns how many disruptions the query admits.
func (q *DisruptionQuery) Count(ctx context.Context) (int, error) {
	var n int
	if err := q.s.rdb.QueryRowContext(ctx, `SELECT count(*) FROM disruption d WHERE `+strings.Join(q.conds, " AND "), q.args.Values()...).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count disruptions: %w", err)
	}
	return n, nil
}

func (s *Store) loadDisruptionSets(ctx context.Context, list []domain.Disruption) error {
	if len(list) == 0 {
		return nil
	}
	at := map[string]int{}
	ids := make([]string, len(list))
	for i, d := range list {
		at[d.ID], ids[i] = i, d.ID
	}
	for start := 0; start < len(ids); start += 500 {
		chunk := ids[start:min(start+500, len(ids))]
		var args Args
		in := idIn("disruption_id", chunk, &args)
		type pair struct{ id, kind, v string }
		pairs, err := collect(ctx, s.rdb, "disruption sets", `SELECT CAST(disruption_id AS text), 'agency', CAST(agency_id AS text) FROM disruption_agency WHERE `+in+`
			UNION ALL SELECT CAST(disruption_id AS text), 'tactic', tactic_code FROM disruption_tactic WHERE `+in+`
			UNION ALL SELECT CAST(disruption_id AS text), 'threat', threat_code FROM disruption_threat WHERE `+in+` ORDER BY 1, 2, 3`,
			args.Values(), func(r *sql.Rows) (pair, error) { var p pair; err := r.Scan(&p.id, &p.kind, &p.v); return p, err })
		if err != nil {
			return err
		}
		for _, p := range pairs {
			d := &list[at[p.id]]
			switch p.kind {
			case "agency":
				d.Agencies = append(d.Agencies, p.v)
			case "tactic":
				d.Tactics = append(d.Tactics, p.v)
			case "threat":
				d.Threats = append(d.Threats, p.v)
			}
		}
		type out struct {
			did string
			o   domain.Outcome
		}
		outs, err := collect(ctx, s.rdb, "disruption outcomes", `SELECT CAST(disruption_id AS text), id, outcome_type, COALESCE(seizure_type, ''), COALESCE(drug_class, ''),
			COALESCE(CAST(agency_id AS text), ''), quantity, grams, value_pence, months, note FROM disruption_outcome WHERE `+in+` ORDER BY disruption_id, outcome_type, id`,
			args.Values(), func(r *sql.Rows) (out, error) {
				var x out
				err := r.Scan(&x.did, &x.o.ID, &x.o.Type, &x.o.SeizureType, &x.o.DrugClass, &x.o.AgencyID, &x.o.Quantity, &x.o.Grams, &x.o.ValuePence, &x.o.Months, &x.o.Note)
				return x, err
			})
		if err != nil {
			return err
		}
		for _, x := range outs {
			d := &list[at[x.did]]
			d.Outcomes = append(d.Outcomes, x.o)
		}
	}
	return nil
}

// DisruptionDecisions returns a disruption's workflow steps, oldest first.
func (s *Store) DisruptionDecisions(ctx context.Context, id string) ([]domain.DisruptionDecision, error) {
	return collect(ctx, s.rdb, "disruption decisions", `SELECT x.id, x.from_status, x.to_status, x.four_p, x.impact, x.reason, x.actor_id, u.display_name, x.at
		FROM disruption_decision x JOIN app_user u ON u.id = x.actor_id WHERE x.disruption_id = $1 ORDER BY x.at, x.id`, []any{id},
		func(r *sql.Rows) (domain.DisruptionDecision, error) {
			var d domain.DisruptionDecision
			var from, to, fp, imp string
			err := r.Scan(&d.ID, &from, &to, &fp, &imp, &d.Reason, &d.ActorID, &d.ActorName, &d.At)
			d.From, d.To, d.FourP, d.Impact = domain.DisruptionStatus(from), domain.DisruptionStatus(to), domain.FourP(fp), domain.Impact(imp)
			d.At = d.At.UTC()
			return d, err
		})
}

// InsertDisruptionDecisions stores workflow steps that loaders (the demo)
// write together with disruptions already in their final status; the
// service's steps go through SetDisruptionStatus.
func (s *Store) InsertDisruptionDecisions(ctx context.Context, tx *sql.Tx, partnershipID string, disruptionIDs []string, list []domain.DisruptionDecision) error {
	if len(list) != len(disruptionIDs) {
		return fmt.Errorf("store: %d decisions for %d disruptions", len(list), len(disruptionIDs))
	}
	rows := make([][]any, len(list))
	for i := range list {
		d := &list[i]
		if d.ID == "" {
			d.ID = s.NewID()
		}
		rows[i] = []any{d.ID, partnershipID, disruptionIDs[i], string(d.From), string(d.To), string(d.FourP), string(d.Impact), d.Reason, d.ActorID, d.At}
	}
	if err := dialect.InsertRows(ctx, s.d, tx, "disruption_decision", []string{"id", "partnership_id", "disruption_id", "from_status", "to_status",
		"four_p", "impact", "reason", "actor_id", "at"}, rows); err != nil {
		return fmt.Errorf("store: insert disruption decisions: %w", err)
	}
	return nil
}

// SetAPMIS records a disruption's APMIS reference and submission status.
func (s *Store) SetAPMIS(ctx context.Context, tx *sql.Tx, partnershipID, id, ref, status string) error {
	res, err := tx.ExecContext(ctx, `UPDATE disruption SET apmis_ref = $3, apmis_status = $4, updated_at = $5 WHERE id = $1 AND partnership_id = $2`,
		id, partnershipID, ref, status, s.Now())
	if err != nil {
		return fmt.Errorf("store: disruption APMIS: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return domain.NotFound("disruption", "")
	}
	return nil
}
