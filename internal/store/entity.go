package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"alliance/internal/authz"
	"alliance/internal/domain"
	"alliance/internal/match"
	"alliance/internal/store/dialect"
)

// entityPrefix is the reference prefix of each entity kind.
var entityPrefix = map[domain.EntityKind]string{
	domain.EntityPerson: "P", domain.EntityBusiness: "B", domain.EntityLocation: "L", domain.EntityVehicle: "V", domain.EntityPhone: "T",
}

// EntityKeys returns the search keys of an entity: its names, aliases and
// nicknames, identifier, reference and date of birth.
func EntityKeys(e *domain.Entity) []string {
	names := append([]string{e.Name}, e.Aliases...)
	names = append(names, e.Nicknames...)
	ids := []string{e.Reference}
	if e.Identifier != "" {
		ids = append(ids, e.Identifier)
	}
	if e.Kind == domain.EntityPerson {
		return match.Keys(names, ids, e.DOB)
	}
	// A vehicle's registration or a phone number is its name: key it as an
	// identifier too, so "AB12 CDE" and "ab12cde" both find it.
	ids = append(ids, e.Name)
	return match.Keys(names, ids, nil)
}

// InsertEntity stores a new person, business, location, vehicle or phone
// with its aliases, flags, marking rows and search keys, filling ID,
// reference and times when empty.
func (s *Store) InsertEntity(ctx context.Context, tx *sql.Tx, e *domain.Entity) error {
	if err := s.prepareEntity(ctx, tx, e); err != nil {
		return err
	}
	m := e.Marking
	_, err := tx.ExecContext(ctx, `INSERT INTO entity (id, partnership_id, reference, kind, name, identifier, dob, gender, detail,
		classification, handling_code, handling_conditions, restricted, origin_agency_id, created_by, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
		e.ID, m.PartnershipID, e.Reference, string(e.Kind), e.Name, e.Identifier, domain.Day(e.DOB), e.Gender, e.Detail,
		string(m.Classification), string(m.Handling), e.HandlingNote, m.Restricted, m.OriginAgencyID, e.CreatedBy, e.CreatedAt, e.UpdatedAt)
	if err != nil {
		return s.mapInsertErr(fmt.Errorf("store: insert entity: %w", err), string(e.Kind))
	}
	if err := s.insertMarkingRows(ctx, tx, e.ID, m); err != nil {
		return err
	}
	if err := s.writeEntitySets(ctx, tx, e); err != nil {
		return err
	}
	return s.writeEntitySearch(ctx, tx, []domain.Entity{*e}, false)
}

func (s *Store) prepareEntity(ctx context.Context, tx *sql.Tx, e *domain.Entity) error {
	now := s.Now()
	if e.ID == "" {
		e.ID = s.NewID()
	}
	if e.CreatedAt.IsZero() {
		e.CreatedAt = now
	}
	if e.UpdatedAt.IsZero() {
		e.UpdatedAt = e.CreatedAt
	}
	if e.Reference == "" {
		prefix, ok := entityPrefix[e.Kind]
		if !ok {
			return fmt.Errorf("store: unknown entity kind %q", e.Kind)
		}
		n, err := s.nextNumber(ctx, tx, e.Marking.PartnershipID, "entity_"+string(e.Kind))
		if err != nil {
			return err
		}
		e.Reference = fmt.Sprintf("%s-%06d", prefix, n)
	}
	return nil
}

func (s *Store) writeEntitySets(ctx context.Context, tx *sql.Tx, e *domain.Entity) error {
	pid := e.Marking.PartnershipID
	if _, err := tx.ExecContext(ctx, `DELETE FROM entity_alias WHERE entity_id = $1`, e.ID); err != nil {
		return fmt.Errorf("store: clear aliases: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM entity_flag WHERE entity_id = $1`, e.ID); err != nil {
		return fmt.Errorf("store: clear flags: %w", err)
	}
	var rows [][]any
	for _, a := range appendUniqueStr(nil, e.Aliases...) {
		rows = append(rows, []any{pid, e.ID, "alias", a})
	}
	for _, a := range appendUniqueStr(nil, e.Nicknames...) {
		rows = append(rows, []any{pid, e.ID, "nickname", a})
	}
	if err := dialect.InsertRows(ctx, s.d, tx, "entity_alias", []string{"partnership_id", "entity_id", "kind", "value"}, rows); err != nil {
		return fmt.Errorf("store: aliases: %w", err)
	}
	rows = rows[:0]
	for _, f := range appendUniqueStr(nil, e.Flags...) {
		rows = append(rows, []any{pid, e.ID, f})
	}
	if err := dialect.InsertRows(ctx, s.d, tx, "entity_flag", []string{"partnership_id", "entity_id", "flag"}, rows); err != nil {
		return fmt.Errorf("store: flags: %w", err)
	}
	return nil
}

// UpdateEntity writes an entity's changed details, aliases, flags and
// search keys. The marking is not changed here.
func (s *Store) UpdateEntity(ctx context.Context, tx *sql.Tx, e *domain.Entity) error {
	if err := s.claimPending(ctx, tx, e.ID); err != nil {
		return err
	}
	e.UpdatedAt = s.Now()
	res, err := tx.ExecContext(ctx, `UPDATE entity SET name = $2, identifier = $3, dob = $4, gender = $5, detail = $6, updated_at = $7 WHERE id = $1`,
		e.ID, e.Name, e.Identifier, domain.Day(e.DOB), e.Gender, e.Detail, e.UpdatedAt)
	if err != nil {
		return fmt.Errorf("store: update entity: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return domain.NotFound(string(e.Kind), e.Reference)
	}
	if err := s.writeEntitySets(ctx, tx, e); err != nil {
		return err
	}
	return s.writeEntitySearch(ctx, tx, []domain.Entity{*e}, true)
}

// EntityQuery reads entities for one actor, starting from the access
// policy's predicate like every scoped query.
type EntityQuery struct {
	s     *Store
	args  Args
	conds []string
	order string
}

// NewEntityQuery starts a query for actor doing act under policy.
func (s *Store) NewEntityQuery(policy authz.Policy, actor domain.Actor, act authz.Action) *EntityQuery {
	q := &EntityQuery{s: s, order: "lower(e.name), e.reference"}
	q.conds = append(q.conds, predicate(policy, actor, act, domain.KindEntity, "e", &q.args))
	return q
}

// WithID limits the query to one entity. A malformed id matches nothing.
func (q *EntityQuery) WithID(id string) *EntityQuery { return q.WithIDs([]string{id}) }

// WithIDs limits the query to the entities listed (none when empty).
func (q *EntityQuery) WithIDs(ids []string) *EntityQuery {
	q.conds = append(q.conds, idIn("e.id", ids, &q.args))
	return q
}

// idIn is the condition that col is one of ids, leaving out malformed ids
// (which match nothing), with the ids added to args; none left matches no
// row.
func idIn(col string, ids []string, args *Args) string {
	var ps []string
	for _, id := range ids {
		if _, err := uuid.Parse(id); err == nil {
			ps = append(ps, args.Add(id))
		}
	}
	if len(ps) == 0 {
		return "(1 = 0)"
	}
	return col + " IN (" + strings.Join(ps, ", ") + ")"
}

// WithKind keeps entities of kind.
func (q *EntityQuery) WithKind(k domain.EntityKind) *EntityQuery {
	if k != "" {
		q.conds = append(q.conds, "e.kind = "+q.args.Add(string(k)))
	}
	return q
}

func (q *EntityQuery) where() string { return strings.Join(q.conds, " AND ") }

// Count returns how many entities the query admits.
func (q *EntityQuery) Count(ctx context.Context) (int, error) {
	var n int
	if err := q.s.rdb.QueryRowContext(ctx, `SELECT count(*) FROM entity e WHERE `+q.where(), q.args.Values()...).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count entities: %w", err)
	}
	return n, nil
}

const entitySelect = `SELECT e.id, e.partnership_id, e.reference, e.kind, e.name, e.identifier, e.dob, e.gender, e.detail,
	e.classification, e.handling_code, e.handling_conditions, e.restricted, e.origin_agency_id, a.name, e.created_by, e.created_at, e.updated_at
	FROM entity e JOIN agency a ON a.id = e.origin_agency_id`

func scanEntity(r interface{ Scan(...any) error }) (domain.Entity, error) {
	var e domain.Entity
	var kind, class, handling string
	var dob sql.NullString
	err := r.Scan(&e.ID, &e.Marking.PartnershipID, &e.Reference, &kind, &e.Name, &e.Identifier, &dob, &e.Gender, &e.Detail,
		&class, &handling, &e.HandlingNote, &e.Marking.Restricted, &e.Marking.OriginAgencyID, &e.OriginAgencyName, &e.CreatedBy, &e.CreatedAt, &e.UpdatedAt)
	e.Kind, e.DOB = domain.EntityKind(kind), day(dob)
	e.Marking.Classification, e.Marking.Handling = domain.Classification(class), domain.HandlingCode(handling)
	e.CreatedAt, e.UpdatedAt = e.CreatedAt.UTC(), e.UpdatedAt.UTC()
	return e, err
}

// List returns one page of entities in name order, with aliases and flags.
// limit ≤ 0 means all.
func (q *EntityQuery) List(ctx context.Context, limit, offset int) ([]domain.Entity, error) {
	query := entitySelect + ` WHERE ` + q.where() + ` ORDER BY ` + q.order
	args := q.args
	if limit > 0 {
		query += ` LIMIT ` + args.Add(limit) + ` OFFSET ` + args.Add(max(offset, 0))
	}
	list, err := collect(ctx, q.s.rdb, "list entities", query, args.Values(),
		func(r *sql.Rows) (domain.Entity, error) { return scanEntity(r) })
	if err != nil {
		return nil, err
	}
	return list, q.s.loadEntitySets(ctx, list)
}

// loadEntitySets fills the aliases, nicknames and flags of list in two
// queries.
func (s *Store) loadEntitySets(ctx context.Context, list []domain.Entity) error {
	if len(list) == 0 {
		return nil
	}
	var args Args
	idx := map[string]int{}
	ps := make([]string, len(list))
	for i, e := range list {
		idx[e.ID] = i
		ps[i] = args.Add(e.ID)
	}
	in := strings.Join(ps, ", ")
	type row struct{ id, kind, value string }
	aliases, err := collect(ctx, s.rdb, "entity aliases", `SELECT entity_id, kind, value FROM entity_alias WHERE entity_id IN (`+in+`) ORDER BY value`, args.Values(),
		func(r *sql.Rows) (row, error) { var x row; err := r.Scan(&x.id, &x.kind, &x.value); return x, err })
	if err != nil {
		return err
	}
	for _, a := range aliases {
		e := &list[idx[a.id]]
		if a.kind == "alias" {
			e.Aliases = append(e.Aliases, a.value)
		} else {
			e.Nicknames = append(e.Nicknames, a.value)
		}
	}
	flags, err := collect(ctx, s.rdb, "entity flags", `SELECT f.entity_id, f.flag, t.name FROM entity_flag f JOIN person_flag_type t ON t.code = f.flag
		WHERE f.entity_id IN (`+in+`) ORDER BY t.sort_order`, args.Values(),
		func(r *sql.Rows) (row, error) { var x row; err := r.Scan(&x.id, &x.kind, &x.value); return x, err })
	if err != nil {
		return err
	}
	for _, f := range flags {
		e := &list[idx[f.id]]
		e.Flags = append(e.Flags, f.kind)
	}
	return nil
}

// One returns the single entity the query admits, with marking rows, or a
// not-found error.
func (q *EntityQuery) One(ctx context.Context) (domain.Entity, error) {
	list, err := q.List(ctx, 2, 0)
	if err != nil {
		return domain.Entity{}, err
	}
	if len(list) != 1 {
		return domain.Entity{}, domain.NotFound("record", "")
	}
	e := list[0]
	if err := q.s.loadMarkingRows(ctx, e.ID, &e.Marking); err != nil {
		return domain.Entity{}, err
	}
	return e, nil
}

// InsertLink stores a link, filling ID and time when empty.
func (s *Store) InsertLink(ctx context.Context, tx *sql.Tx, partnershipID string, l *domain.Link) error {
	if l.ID == "" {
		l.ID = s.NewID()
	}
	if l.CreatedAt.IsZero() {
		l.CreatedAt = s.Now()
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO link (id, partnership_id, from_kind, from_id, to_kind, to_id, type, role, valid_from, valid_to,
		source_ref, confidence, note, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
		l.ID, partnershipID, string(l.FromKind), l.FromID, string(l.ToKind), l.ToID, string(l.Type), string(l.Role),
		domain.Day(l.ValidFrom), domain.Day(l.ValidTo), l.SourceRef, string(l.Confidence), l.Note, l.CreatedBy, l.CreatedAt)
	if err != nil {
		return fmt.Errorf("store: insert link: %w", err)
	}
	return nil
}

// UpdateMembership writes a membership's correctable fields (role, start
// and end dates, supporting reference, confidence, note) and its end
// (reason and note), if l.ID is a membership of group ocgID; not found
// otherwise. was is the end reason of the copy the change was worked out
// from ("" for a current membership): when the stored one differs (someone
// ended or corrected the end meanwhile) nothing is written and the error is
// domain.ErrConflict, so a change from a stale copy never undoes an end. It
// sets l.UpdatedAt.
func (s *Store) UpdateMembership(ctx context.Context, tx *sql.Tx, ocgID string, was domain.MemberEndReason, l *domain.Link) error {
	now := s.Now()
	res, err := tx.ExecContext(ctx, `UPDATE link SET role = $3, valid_from = $4, valid_to = $5, source_ref = $6, confidence = $7, note = $8,
		end_reason = $9, end_note = $10, updated_at = $11
		WHERE id = $1 AND to_id = $2 AND type = 'member_of' AND end_reason = $12`,
		l.ID, ocgID, string(l.Role), domain.Day(l.ValidFrom), domain.Day(l.ValidTo), l.SourceRef, string(l.Confidence), l.Note,
		string(l.EndReason), l.EndNote, now, string(was))
	if err != nil {
		return fmt.Errorf("store: update membership: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("store: update membership: %w", err)
	}
	if n == 1 {
		l.UpdatedAt = &now
		return nil
	}
	var exists bool
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM link WHERE id = $1 AND to_id = $2 AND type = 'member_of')`, l.ID, ocgID).
		Scan(&exists); err != nil {
		return fmt.Errorf("store: update membership: %w", err)
	}
	if !exists {
		return domain.NotFound("membership", l.ID)
	}
	return fmt.Errorf("the membership was ended or its end corrected by someone else meanwhile: reload it and try again: %w", domain.ErrConflict)
}

const linkCols = `l.id, l.from_kind, l.from_id, l.to_kind, l.to_id, l.type, l.role, l.valid_from, l.valid_to, l.source_ref, l.confidence,
	l.note, l.created_by, l.created_at, l.end_reason, l.end_note, l.updated_at`

func scanLink(r interface{ Scan(...any) error }, extra ...any) (domain.Link, error) {
	var l domain.Link
	var fk, tk, typ, role, conf string
	var from, to sql.NullString
	var endReason string
	var updated sql.NullTime
	dest := []any{&l.ID, &fk, &l.FromID, &tk, &l.ToID, &typ, &role, &from, &to, &l.SourceRef, &conf, &l.Note, &l.CreatedBy, &l.CreatedAt,
		&endReason, &l.EndNote, &updated}
	err := r.Scan(append(dest, extra...)...)
	l.FromKind, l.ToKind, l.Type, l.Role, l.Confidence = domain.NodeKind(fk), domain.NodeKind(tk), domain.LinkType(typ), domain.MemberRole(role), domain.Confidence(conf)
	l.ValidFrom, l.ValidTo = day(from), day(to)
	l.CreatedAt = l.CreatedAt.UTC()
	l.EndReason = domain.MemberEndReason(endReason)
	if updated.Valid {
		u := updated.Time.UTC()
		l.UpdatedAt = &u
	}
	return l, err
}

// Members returns the people on group ocgID that actor may see, with their
// membership links, principals first. People the actor may not see are
// left out, not counted.
func (s *Store) Members(ctx context.Context, policy authz.Policy, actor domain.Actor, ocgID string) ([]domain.Member, error) {
	q := s.NewEntityQuery(policy, actor, authz.View)
	p := q.args.Add(ocgID)
	query := `SELECT ` + linkCols + `, e.id, e.partnership_id, e.reference, e.kind, e.name, e.identifier, e.dob, e.gender, e.detail,
		e.classification, e.handling_code, e.handling_conditions, e.restricted, e.origin_agency_id, a.name, e.created_by, e.created_at, e.updated_at
		FROM link l JOIN entity e ON e.id = l.from_id JOIN agency a ON a.id = e.origin_agency_id
		WHERE l.to_id = ` + p + ` AND l.type = 'member_of' AND ` + q.where() + `
		ORDER BY CASE l.role WHEN 'principal' THEN 1 WHEN 'significant' THEN 2 ELSE 3 END, lower(e.name)`
	members, err := collect(ctx, s.rdb, "group members", query, q.args.Values(), func(r *sql.Rows) (domain.Member, error) {
		var m domain.Member
		var kind, class, handling string
		var dob sql.NullString
		e := &m.Person
		l, err := scanLink(r, &e.ID, &e.Marking.PartnershipID, &e.Reference, &kind, &e.Name, &e.Identifier, &dob, &e.Gender, &e.Detail,
			&class, &handling, &e.HandlingNote, &e.Marking.Restricted, &e.Marking.OriginAgencyID, &e.OriginAgencyName, &e.CreatedBy, &e.CreatedAt, &e.UpdatedAt)
		m.Link = l
		e.Kind, e.DOB = domain.EntityKind(kind), day(dob)
		e.Marking.Classification, e.Marking.Handling = domain.Classification(class), domain.HandlingCode(handling)
		return m, err
	})
	if err != nil {
		return nil, err
	}
	people := make([]domain.Entity, len(members))
	for i, m := range members {
		people[i] = m.Person
	}
	if err := s.loadEntitySets(ctx, people); err != nil {
		return nil, err
	}
	for i := range members {
		members[i].Person = people[i]
	}
	return members, nil
}

// LinksOf returns the links that touch node id whose other end actor may
// see, with the far end's name. Groups are checked against the group
// policy, entities against the entity policy.
func (s *Store) LinksOf(ctx context.Context, policy authz.Policy, actor domain.Actor, id string) ([]domain.Link, error) {
	var args Args
	p := args.Add(id)
	entVis := predicate(policy, actor, authz.View, domain.KindEntity, "e", &args)
	ocgVis := predicate(policy, actor, authz.View, domain.KindOCG, "o", &args)
	query := `SELECT ` + linkCols + `, COALESCE(e.reference || ' ' || e.name, o.reference || ' ' || o.name, '')
		FROM link l
		LEFT JOIN entity e ON (CASE WHEN l.from_id = ` + p + ` THEN l.to_kind ELSE l.from_kind END) = 'entity'
			AND e.id = CASE WHEN l.from_id = ` + p + ` THEN l.to_id ELSE l.from_id END AND ` + entVis + `
		LEFT JOIN ocg o ON (CASE WHEN l.from_id = ` + p + ` THEN l.to_kind ELSE l.from_kind END) = 'ocg' AND o.id = CASE WHEN l.from_id = ` + p + ` THEN l.to_id ELSE l.from_id END AND ` + ocgVis + `
		WHERE (l.from_id = ` + p + ` OR l.to_id = ` + p + `) AND (e.id IS NOT NULL OR o.id IS NOT NULL)
		ORDER BY l.type, l.created_at`
	return collect(ctx, s.rdb, "links", query, args.Values(), func(r *sql.Rows) (domain.Link, error) {
		var far string
		l, err := scanLink(r, &far)
		if l.FromID == id {
			l.ToName = far
		} else {
			l.FromName = far
		}
		return l, err
	})
}

// InsertPlan stores a new plan version for a group.
func (s *Store) InsertPlan(ctx context.Context, tx *sql.Tx, partnershipID string, p *domain.Plan) error {
	now := s.Now()
	if p.ID == "" {
		p.ID = s.NewID()
	}
	if p.CreatedAt.IsZero() {
		p.CreatedAt = now
	}
	p.UpdatedAt = p.CreatedAt
	if p.Version == 0 {
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(max(version), 0) + 1 FROM plan WHERE ocg_id = $1`, p.OCGID).Scan(&p.Version); err != nil {
			return fmt.Errorf("store: plan version: %w", err)
		}
	}
	// Earlier versions are closed: a group has one current plan.
	if _, err := tx.ExecContext(ctx, `UPDATE plan SET status = 'closed', updated_at = $2 WHERE ocg_id = $1 AND status <> 'closed'`, p.OCGID, now); err != nil {
		return fmt.Errorf("store: close earlier plans: %w", err)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO plan (id, partnership_id, ocg_id, version, status, objectives, review_due, created_by, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		p.ID, partnershipID, p.OCGID, p.Version, string(p.Status), p.Objectives, p.ReviewDue.Format("2006-01-02"), p.CreatedBy, p.CreatedAt, p.UpdatedAt)
	if err != nil {
		return s.mapInsertErr(fmt.Errorf("store: insert plan: %w", err), "plan")
	}
	return nil
}

// UpdatePlan writes a plan's status, objectives and review date.
func (s *Store) UpdatePlan(ctx context.Context, tx *sql.Tx, p *domain.Plan) error {
	p.UpdatedAt = s.Now()
	_, err := tx.ExecContext(ctx, `UPDATE plan SET status = $2, objectives = $3, review_due = $4, updated_at = $5 WHERE id = $1`,
		p.ID, string(p.Status), p.Objectives, p.ReviewDue.Format("2006-01-02"), p.UpdatedAt)
	if err != nil {
		return fmt.Errorf("store: update plan: %w", err)
	}
	return nil
}

// CurrentPlan returns the group's plan that is not closed, with its
// actions, or a not-found error. The caller must already have been allowed
// to see the group.
func (s *Store) CurrentPlan(ctx context.Context, ocgID string) (domain.Plan, error) {
	var p domain.Plan
	var status, review string
	err := s.rdb.QueryRowContext(ctx, `SELECT id, ocg_id, version, status, objectives, review_due, created_by, created_at, updated_at
		FROM plan WHERE ocg_id = $1 AND status <> 'closed' ORDER BY version DESC LIMIT 1`, ocgID).
		Scan(&p.ID, &p.OCGID, &p.Version, &status, &p.Objectives, &review, &p.CreatedBy, &p.CreatedAt, &p.UpdatedAt)
	if err := one(err, "current plan", domain.NotFound("plan", ocgID)); err != nil {
		return p, err
	}
	p.Status = domain.PlanStatus(status)
	if d := day(sql.NullString{String: review, Valid: true}); d != nil {
		p.ReviewDue = *d
	}
	p.Actions, err = collect(ctx, s.rdb, "plan actions", `SELECT pa.id, pa.plan_id, pa.strand, pa.description, pa.owner_agency_id, a.name,
		pa.owner_name, pa.due_on, pa.status, pa.outcome, pa.created_at, pa.updated_at
		FROM plan_action pa JOIN agency a ON a.id = pa.owner_agency_id WHERE pa.plan_id = $1
		ORDER BY CASE pa.strand WHEN 'pursue' THEN 1 WHEN 'prevent' THEN 2 WHEN 'protect' THEN 3 ELSE 4 END, pa.due_on, pa.created_at`,
		[]any{p.ID}, func(r *sql.Rows) (domain.PlanAction, error) {
			var a domain.PlanAction
			var strand, due, st string
			err := r.Scan(&a.ID, &a.PlanID, &strand, &a.Description, &a.OwnerAgencyID, &a.OwnerAgencyName, &a.OwnerName, &due, &st, &a.Outcome,
				&a.CreatedAt, &a.UpdatedAt)
			a.Strand, a.Status = domain.FourP(strand), domain.ActionStatus(st)
			if d := day(sql.NullString{String: due, Valid: true}); d != nil {
				a.DueOn = *d
			}
			return a, err
		})
	return p, err
}

// InsertPlanAction adds an action to a plan.
func (s *Store) InsertPlanAction(ctx context.Context, tx *sql.Tx, partnershipID string, a *domain.PlanAction) error {
	list := []domain.PlanAction{*a}
	err := s.InsertPlanActions(ctx, tx, partnershipID, list)
	*a = list[0]
	return err
}

// UpdatePlanAction writes an action's status and outcome, if it belongs to
// planID.
func (s *Store) UpdatePlanAction(ctx context.Context, tx *sql.Tx, planID string, a *domain.PlanAction) error {
	a.UpdatedAt = s.Now()
	res, err := tx.ExecContext(ctx, `UPDATE plan_action SET status = $3, outcome = $4, updated_at = $5 WHERE id = $1 AND plan_id = $2`,
		a.ID, planID, string(a.Status), a.Outcome, a.UpdatedAt)
	if err != nil {
		return fmt.Errorf("store: update plan action: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return domain.NotFound("plan action", a.ID)
	}
	return nil
}

// EntityIDs returns the IDs of every entity of kind in partnershipID's
// register, in order, whoever may see them: for data made in bulk (the
// benchmark generator), never for an actor's read.
func (s *Store) EntityIDs(ctx context.Context, partnershipID string, kind domain.EntityKind) ([]string, error) {
	return collect(ctx, s.rdb, "entity ids", `SELECT CAST(id AS text) FROM entity WHERE partnership_id = $1 AND kind = $2 ORDER BY id`,
		[]any{partnershipID, string(kind)}, scanString)
}
