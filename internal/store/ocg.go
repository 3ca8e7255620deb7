package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"alliance/internal/authz"
	"alliance/internal/domain"
	"alliance/internal/match"
	"alliance/internal/store/dialect"
)

// Threats returns the SOC threat reference data in display order.
func (s *Store) Threats(ctx context.Context) ([]domain.Threat, error) {
	return collect(ctx, s.rdb, "threats", `SELECT code, name, picture_group, national, sort_order FROM threat WHERE active ORDER BY sort_order, name`, nil,
		func(r *sql.Rows) (domain.Threat, error) {
			var t domain.Threat
			err := r.Scan(&t.Code, &t.Name, &t.PictureGroup, &t.National, &t.SortOrder)
			return t, err
		})
}

// FlagType is one person flag from the reference data.
type FlagType struct{ Code, Name string }

// PersonFlagTypes returns the flags a person may carry.
func (s *Store) PersonFlagTypes(ctx context.Context) ([]FlagType, error) {
	return collect(ctx, s.rdb, "person flag types", `SELECT code, name FROM person_flag_type ORDER BY sort_order`, nil,
		func(r *sql.Rows) (FlagType, error) { var f FlagType; err := r.Scan(&f.Code, &f.Name); return f, err })
}

// day turns a nullable ISO day column into a *time.Time.
func day(ns sql.NullString) *time.Time {
	if !ns.Valid || ns.String == "" {
		return nil
	}
	t, err := time.Parse("2006-01-02", ns.String[:min(len(ns.String), 10)])
	if err != nil {
		return nil
	}
	return &t
}

// InsertOCG stores a new group with its threats, areas, marking rows and
// search keys, filling ID, reference and times when empty.
func (s *Store) InsertOCG(ctx context.Context, tx *sql.Tx, o *domain.OCG) error {
	now := s.Now()
	if o.ID == "" {
		o.ID = s.NewID()
	}
	if o.CreatedAt.IsZero() {
		o.CreatedAt = now
	}
	if o.UpdatedAt.IsZero() {
		o.UpdatedAt = o.CreatedAt
	}
	if o.Reference == "" {
		n, err := s.nextNumber(ctx, tx, o.Marking.PartnershipID, string(domain.KindOCG))
		if err != nil {
			return err
		}
		o.Reference = fmt.Sprintf("OCG-%d-%04d", o.CreatedAt.Year(), n)
	}
	m := o.Marking
	_, err := tx.ExecContext(ctx, `INSERT INTO ocg (id, partnership_id, reference, name, operation_name, summary, status, ownership_level,
		primary_threat, home_unit_id, lead_agency_id, lro_user_id, sro_user_id, review_due, adopted_on, archived_on, archive_reason,
		archive_rationale, archive_decision, score, band, priority, scored_on, classification, handling_code, handling_conditions,
		restricted, origin_agency_id, created_by, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26,
		$27, $28, $29, $30, $31)`,
		o.ID, m.PartnershipID, o.Reference, o.Name, o.OperationName, o.Summary, string(o.Status), string(o.Ownership),
		o.PrimaryThreat, nullIfEmpty(o.HomeUnitID), nullIfEmpty(o.LeadAgencyID), nullIfEmpty(o.LROUserID), nullIfEmpty(o.SROUserID),
		domain.Day(o.ReviewDue), domain.Day(o.AdoptedOn), domain.Day(o.ArchivedOn), nullIfEmpty(string(o.ArchiveReason)),
		o.ArchiveWhy, o.ArchiveBy, o.Score, o.Band, o.Priority, domain.Day(o.ScoredOn), string(m.Classification), string(m.Handling),
		o.HandlingNote, m.Restricted, m.OriginAgencyID, o.CreatedBy, o.CreatedAt, o.UpdatedAt)
	if err != nil {
		return s.mapInsertErr(fmt.Errorf("store: insert ocg: %w", err), "group")
	}
	if err := s.insertMarkingRows(ctx, tx, o.ID, m); err != nil {
		return err
	}
	if err := s.writeOCGSets(ctx, tx, o); err != nil {
		return err
	}
	return s.writeSearchKeys(ctx, tx, m.PartnershipID, domain.NodeOCG, o.ID, ocgKeys(o))
}

func ocgKeys(o *domain.OCG) []string {
	return match.Keys([]string{o.Name, o.OperationName}, []string{o.Reference}, nil)
}

// writeOCGSets replaces a group's threats and areas.
func (s *Store) writeOCGSets(ctx context.Context, tx *sql.Tx, o *domain.OCG) error {
	pid := o.Marking.PartnershipID
	if _, err := tx.ExecContext(ctx, `DELETE FROM ocg_threat WHERE ocg_id = $1`, o.ID); err != nil {
		return fmt.Errorf("store: clear ocg threats: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM ocg_area WHERE ocg_id = $1`, o.ID); err != nil {
		return fmt.Errorf("store: clear ocg areas: %w", err)
	}
	threats := appendUniqueStr([]string{o.PrimaryThreat}, o.Threats...)
	var rows [][]any
	for _, t := range threats {
		rows = append(rows, []any{pid, o.ID, t})
	}
	if err := dialect.InsertRows(ctx, s.d, tx, "ocg_threat", []string{"partnership_id", "ocg_id", "threat_code"}, rows); err != nil {
		return fmt.Errorf("store: ocg threats: %w", err)
	}
	rows = rows[:0]
	for _, a := range appendUniqueStr(nil, o.AreaIDs...) {
		rows = append(rows, []any{pid, o.ID, a})
	}
	if err := dialect.InsertRows(ctx, s.d, tx, "ocg_area", []string{"partnership_id", "ocg_id", "unit_id"}, rows); err != nil {
		return fmt.Errorf("store: ocg areas: %w", err)
	}
	o.Threats = threats
	return nil
}

func appendUniqueStr(list []string, vs ...string) []string {
	for _, v := range vs {
		if v == "" {
			continue
		}
		dup := false
		for _, x := range list {
			if x == v {
				dup = true
				break
			}
		}
		if !dup {
			list = append(list, v)
		}
	}
	return list
}

// UpdateOCG writes a group's changed fields, threats, areas and search keys.
// It never writes the score mirror columns (score, band, priority,
// scored_on): only SetOCGScore does, so a lifecycle step cannot write back
// a score older than an assessment committed meanwhile.
// The marking is not changed here.
//
// was is the status the caller read the group in: if the group has moved
// to another since (a concurrent lifecycle step), nothing is written and
// the error wraps domain.ErrConflict, so a stale copy never undoes a step.
func (s *Store) UpdateOCG(ctx context.Context, tx *sql.Tx, o *domain.OCG, was domain.OCGStatus) error {
	o.UpdatedAt = s.Now()
	res, err := tx.ExecContext(ctx, `UPDATE ocg SET name = $2, operation_name = $3, summary = $4, status = $5, ownership_level = $6,
		primary_threat = $7, home_unit_id = $8, lead_agency_id = $9, lro_user_id = $10, sro_user_id = $11, review_due = $12,
		adopted_on = $13, archived_on = $14, archive_reason = $15, archive_rationale = $16, archive_decision = $17,
		updated_at = $18 WHERE id = $1 AND status = $19`,
		o.ID, o.Name, o.OperationName, o.Summary, string(o.Status), string(o.Ownership), o.PrimaryThreat, nullIfEmpty(o.HomeUnitID),
		nullIfEmpty(o.LeadAgencyID), nullIfEmpty(o.LROUserID), nullIfEmpty(o.SROUserID), domain.Day(o.ReviewDue), domain.Day(o.AdoptedOn),
		domain.Day(o.ArchivedOn), nullIfEmpty(string(o.ArchiveReason)), o.ArchiveWhy, o.ArchiveBy, o.UpdatedAt, string(was))
	if err != nil {
		return fmt.Errorf("store: update ocg: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		var now string
		switch err := tx.QueryRowContext(ctx, `SELECT status FROM ocg WHERE id = $1`, o.ID).Scan(&now); {
		case errors.Is(err, sql.ErrNoRows):
			return domain.NotFound("group", o.Reference)
		case err != nil:
			return fmt.Errorf("store: update ocg: %w", err)
		}
		return fmt.Errorf("%s was moved to %s by someone else meanwhile: reload it and try again: %w",
			o.Reference, domain.OCGStatus(now).Label(), domain.ErrConflict)
	}
	if err := s.writeOCGSets(ctx, tx, o); err != nil {
		return err
	}
	return s.writeSearchKeys(ctx, tx, o.Marking.PartnershipID, domain.NodeOCG, o.ID, ocgKeys(o))
}

// writeSearchKeys replaces the search keys of one record.
func (s *Store) writeSearchKeys(ctx context.Context, tx *sql.Tx, partnershipID string, kind domain.NodeKind, id string, keys []string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM search_key WHERE record_id = $1`, id); err != nil {
		return fmt.Errorf("store: clear search keys: %w", err)
	}
	rows := make([][]any, 0, len(keys))
	for _, k := range keys {
		rows = append(rows, []any{partnershipID, k, string(kind), id})
	}
	if err := dialect.InsertRows(ctx, s.d, tx, "search_key", []string{"partnership_id", "key", "record_kind", "record_id"}, rows); err != nil {
		return fmt.Errorf("store: search keys: %w", err)
	}
	return nil
}

// InsertTransition records one lifecycle step.
func (s *Store) InsertTransition(ctx context.Context, tx *sql.Tx, partnershipID string, t *domain.Transition) error {
	list := []domain.Transition{*t}
	err := s.InsertTransitions(ctx, tx, partnershipID, list)
	*t = list[0]
	return err
}

// Transitions returns a group's lifecycle history, oldest first. The caller
// must already have been allowed to see the group.
func (s *Store) Transitions(ctx context.Context, ocgID string) ([]domain.Transition, error) {
	return collect(ctx, s.rdb, "ocg transitions", `SELECT t.id, t.ocg_id, t.from_status, t.to_status, t.decided_on, t.decision, t.note,
		t.actor_id, u.display_name, t.at FROM ocg_transition t JOIN app_user u ON u.id = t.actor_id
		WHERE t.ocg_id = $1 ORDER BY t.at, t.decided_on, t.id`, []any{ocgID},
		func(r *sql.Rows) (domain.Transition, error) {
			var t domain.Transition
			var from, to string
			var on sql.NullString
			err := r.Scan(&t.ID, &t.OCGID, &from, &to, &on, &t.Decision, &t.Note, &t.ActorID, &t.ActorName, &t.At)
			t.From, t.To = domain.OCGStatus(from), domain.OCGStatus(to)
			if d := day(on); d != nil {
				t.DecidedOn = *d
			}
			t.At = t.At.UTC()
			return t, err
		})
}

// OCGQuery reads groups for one actor. Its constructor puts the access
// policy's predicate first, so every list, count, ranking and picture built
// on it sees exactly what the policy allows.
type OCGQuery struct {
	s     *Store
	args  Args
	conds []string
	order string
}

// NewOCGQuery starts a query for actor doing act under policy.
func (s *Store) NewOCGQuery(policy authz.Policy, actor domain.Actor, act authz.Action) *OCGQuery {
	q := &OCGQuery{s: s, order: "o.created_at DESC, o.id DESC"}
	q.conds = append(q.conds, predicate(policy, actor, act, domain.KindOCG, "o", &q.args))
	return q
}

// WithID limits the query to one group. A malformed id matches nothing.
func (q *OCGQuery) WithID(id string) *OCGQuery {
	if _, err := uuid.Parse(id); err != nil {
		q.conds = append(q.conds, "(1 = 0)")
		return q
	}
	q.conds = append(q.conds, "o.id = "+q.args.Add(id))
	return q
}

// WithIDs limits the query to the groups listed (none when empty).
func (q *OCGQuery) WithIDs(ids []string) *OCGQuery {
	q.conds = append(q.conds, idIn("o.id", ids, &q.args))
	return q
}

// WithStatuses keeps groups in any of the states (all when none given).
func (q *OCGQuery) WithStatuses(sts ...domain.OCGStatus) *OCGQuery {
	if len(sts) == 0 {
		return q
	}
	var ps []string
	for _, st := range sts {
		ps = append(ps, q.args.Add(string(st)))
	}
	q.conds = append(q.conds, "o.status IN ("+strings.Join(ps, ", ")+")")
	return q
}

// WithThreat keeps groups with threat among their threats.
func (q *OCGQuery) WithThreat(code string) *OCGQuery {
	if code == "" {
		return q
	}
	q.conds = append(q.conds, "EXISTS (SELECT 1 FROM ocg_threat ot WHERE ot.ocg_id = o.id AND ot.threat_code = "+q.args.Add(code)+")")
	return q
}

// WithText keeps groups whose name, operation name or reference contains
// term (case-insensitive).
func (q *OCGQuery) WithText(term string) *OCGQuery {
	term = strings.TrimSpace(term)
	if term == "" {
		return q
	}
	p := q.args.Add("%" + escapeLike(strings.ToLower(term)) + "%")
	q.conds = append(q.conds, fmt.Sprintf(`(lower(o.name) LIKE %[1]s ESCAPE '\' OR lower(o.operation_name) LIKE %[1]s ESCAPE '\' OR lower(o.reference) LIKE %[1]s ESCAPE '\')`, p))
	return q
}

// Where adds a condition written against alias o; its parameters must be
// added through Arg first.
func (q *OCGQuery) Where(cond string) *OCGQuery { q.conds = append(q.conds, "("+cond+")"); return q }

// Arg adds a parameter and returns its placeholder, for Where.
func (q *OCGQuery) Arg(v any) string { return q.args.Add(v) }

// ByScore orders the list by score, highest first, unscored last.
func (q *OCGQuery) ByScore() *OCGQuery {
	q.order = "CASE WHEN o.score IS NULL THEN 1 ELSE 0 END, o.score DESC, o.reference"
	return q
}

// ByName orders the list by name.
func (q *OCGQuery) ByName() *OCGQuery { q.order = "lower(o.name), o.reference"; return q }

func (q *OCGQuery) where() string { return strings.Join(q.conds, " AND ") }

// Count returns how many groups the query admits.
func (q *OCGQuery) Count(ctx context.Context) (int, error) {
	var n int
	if err := q.s.rdb.QueryRowContext(ctx, `SELECT count(*) FROM ocg o WHERE `+q.where(), q.args.Values()...).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count groups: %w", err)
	}
	return n, nil
}

// CountBy returns how many groups the query admits for each value of expr,
// an expression over alias o (such as "o.primary_threat").
func (q *OCGQuery) CountBy(ctx context.Context, expr string) (map[string]int, error) {
	return countsBy(ctx, q.s.rdb, "count groups by", `SELECT `+expr+`, count(*) FROM ocg o WHERE `+q.where()+` GROUP BY `+expr, q.args.Values())
}

const ocgSelect = `SELECT o.id, o.partnership_id, o.reference, o.name, o.operation_name, o.summary, o.status, o.ownership_level,
	o.primary_threat, th.name, COALESCE(CAST(o.home_unit_id AS text), ''), COALESCE(hu.name, ''),
	COALESCE(CAST(o.lead_agency_id AS text), ''), COALESCE(la.name, ''),
	COALESCE(CAST(o.lro_user_id AS text), ''), COALESCE(lro.display_name, ''),
	COALESCE(CAST(o.sro_user_id AS text), ''), COALESCE(sro.display_name, ''),
	o.review_due, o.adopted_on, o.archived_on, COALESCE(o.archive_reason, ''), o.archive_rationale, o.archive_decision,
	o.score, o.band, o.priority, o.scored_on, o.classification, o.handling_code, o.handling_conditions, o.restricted,
	o.origin_agency_id, oa.name, o.created_by, o.created_at, o.updated_at
	FROM ocg o
	JOIN threat th ON th.code = o.primary_threat
	JOIN agency oa ON oa.id = o.origin_agency_id
	LEFT JOIN org_unit hu ON hu.id = o.home_unit_id
	LEFT JOIN agency la ON la.id = o.lead_agency_id
	LEFT JOIN app_user lro ON lro.id = o.lro_user_id
	LEFT JOIN app_user sro ON sro.id = o.sro_user_id`

func scanOCG(r interface{ Scan(...any) error }) (domain.OCG, error) {
	var o domain.OCG
	var status, own, class, handling string
	var review, adopted, archived, scored sql.NullString
	var score sql.NullFloat64
	var reason string
	err := r.Scan(&o.ID, &o.Marking.PartnershipID, &o.Reference, &o.Name, &o.OperationName, &o.Summary, &status, &own,
		&o.PrimaryThreat, &o.PrimaryThreatName, &o.HomeUnitID, &o.HomeUnitName, &o.LeadAgencyID, &o.LeadAgencyName,
		&o.LROUserID, &o.LROName, &o.SROUserID, &o.SROName, &review, &adopted, &archived, &reason, &o.ArchiveWhy, &o.ArchiveBy,
		&score, &o.Band, &o.Priority, &scored, &class, &handling, &o.HandlingNote, &o.Marking.Restricted,
		&o.Marking.OriginAgencyID, &o.OriginAgencyName, &o.CreatedBy, &o.CreatedAt, &o.UpdatedAt)
	o.Status, o.Ownership, o.ArchiveReason = domain.OCGStatus(status), domain.OwnershipLevel(own), domain.ArchiveReason(reason)
	o.Marking.Classification, o.Marking.Handling = domain.Classification(class), domain.HandlingCode(handling)
	o.ReviewDue, o.AdoptedOn, o.ArchivedOn, o.ScoredOn = day(review), day(adopted), day(archived), day(scored)
	if score.Valid {
		v := score.Float64
		o.Score = &v
	}
	o.CreatedAt, o.UpdatedAt = o.CreatedAt.UTC(), o.UpdatedAt.UTC()
	return o, err
}

// List returns one page of groups in the query's order. limit ≤ 0 means all.
func (q *OCGQuery) List(ctx context.Context, limit, offset int) ([]domain.OCG, error) {
	query := ocgSelect + ` WHERE ` + q.where() + ` ORDER BY ` + q.order
	args := q.args
	if limit > 0 {
		query += ` LIMIT ` + args.Add(limit) + ` OFFSET ` + args.Add(max(offset, 0))
	}
	return collect(ctx, q.s.rdb, "list groups", query, args.Values(),
		func(r *sql.Rows) (domain.OCG, error) { return scanOCG(r) })
}

// One returns the single group the query admits, with its threats, areas
// and marking rows, or a not-found error.
func (q *OCGQuery) One(ctx context.Context) (domain.OCG, error) {
	list, err := q.List(ctx, 2, 0)
	if err != nil {
		return domain.OCG{}, err
	}
	if len(list) != 1 {
		return domain.OCG{}, domain.NotFound("group", "")
	}
	o := list[0]
	if err := q.s.loadMarkingRows(ctx, o.ID, &o.Marking); err != nil {
		return domain.OCG{}, err
	}
	o.Threats, err = collect(ctx, q.s.rdb, "ocg threats", `SELECT ot.threat_code FROM ocg_threat ot JOIN threat t ON t.code = ot.threat_code
		WHERE ot.ocg_id = $1 ORDER BY t.sort_order`, []any{o.ID}, func(r *sql.Rows) (string, error) { var s string; err := r.Scan(&s); return s, err })
	if err != nil {
		return domain.OCG{}, err
	}
	o.AreaIDs, err = collect(ctx, q.s.rdb, "ocg areas", `SELECT CAST(unit_id AS text) FROM ocg_area WHERE ocg_id = $1 ORDER BY unit_id`, []any{o.ID},
		func(r *sql.Rows) (string, error) { var s string; err := r.Scan(&s); return s, err })
	if err != nil {
		return domain.OCG{}, err
	}
	return o, nil
}

// OCGIDs returns the IDs of every group in partnershipID's register, in
// order, whoever may see them: for data made in bulk (the benchmark
// generator), never for an actor's read.
func (s *Store) OCGIDs(ctx context.Context, partnershipID string) ([]string, error) {
	return collect(ctx, s.rdb, "group ids", `SELECT CAST(id AS text) FROM ocg WHERE partnership_id = $1 ORDER BY id`, []any{partnershipID}, scanString)
}
