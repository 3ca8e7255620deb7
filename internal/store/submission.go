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

// InsertSubmission stores a new submission with its reference
// (SUB-2026-000042), filling its ID and times.
func (s *Store) InsertSubmission(ctx context.Context, tx *sql.Tx, x *domain.Submission) error {
	now := s.Now()
	if x.ID == "" {
		x.ID = s.NewID()
	}
	if x.CreatedAt.IsZero() {
		x.CreatedAt = now
	}
	x.UpdatedAt = x.CreatedAt
	if x.Reference == "" {
		n, err := s.nextNumber(ctx, tx, x.PartnershipID, string(domain.KindSubmission))
		if err != nil {
			return err
		}
		x.Reference = fmt.Sprintf("SUB-%d-%06d", x.CreatedAt.Year(), n)
	}
	m := x.Marking
	_, err := tx.ExecContext(ctx, `INSERT INTO submission (id, partnership_id, reference, source, what, where_text, when_text, who_text, contact,
		ocg_id, unit_id, priority, status, question, answer, decision_reason, report_id, classification, handling_code, restricted, origin_agency_id,
		submitted_by, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24)`,
		x.ID, x.PartnershipID, x.Reference, string(x.Source), x.What, x.Where, x.When, x.Who, x.Contact, nullIfEmpty(x.OCGID), nullIfEmpty(x.UnitID),
		string(x.Priority), string(x.Status), x.Question, x.Answer, x.DecisionReason, nullIfEmpty(x.ReportID), string(m.Classification), string(m.Handling),
		m.Restricted, nullIfEmpty(m.OriginAgencyID), nullIfEmpty(x.SubmittedBy), x.CreatedAt, x.UpdatedAt)
	if err != nil {
		return s.mapInsertErr(fmt.Errorf("store: insert submission: %w", err), "submission")
	}
	return nil
}

// UpdateSubmission writes a triage step or a submitter's answer: the
// status, priority, question, answer, reason, report and who decided.
func (s *Store) UpdateSubmission(ctx context.Context, tx *sql.Tx, x *domain.Submission) error {
	x.UpdatedAt = s.Now()
	var decided any
	if x.DecidedAt != nil {
		decided = x.DecidedAt.UTC()
	}
	res, err := tx.ExecContext(ctx, `UPDATE submission SET status = $2, priority = $3, question = $4, answer = $5, decision_reason = $6,
		report_id = $7, decided_by = $8, decided_at = $9, updated_at = $10 WHERE id = $1`,
		x.ID, string(x.Status), string(x.Priority), x.Question, x.Answer, x.DecisionReason, nullIfEmpty(x.ReportID), nullIfEmpty(x.DecidedBy),
		decided, x.UpdatedAt)
	if err != nil {
		return fmt.Errorf("store: update submission: %w", err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return domain.NotFound("submission", x.ID)
	}
	return nil
}

// SubmissionQuery reads submissions for one actor, starting from the
// access policy's predicate like every scoped query.
type SubmissionQuery struct {
	s     *Store
	args  Args
	conds []string
	order string
}

// NewSubmissionQuery starts a query for actor doing act under policy.
func (s *Store) NewSubmissionQuery(policy authz.Policy, actor domain.Actor, act authz.Action) *SubmissionQuery {
	q := &SubmissionQuery{s: s, order: triageOrder}
	q.conds = append(q.conds, predicate(policy, actor, act, domain.KindSubmission, "x", &q.args))
	return q
}

// triageOrder is the most urgent first, then the longest waiting.
const triageOrder = `CASE x.priority WHEN 'threat_to_life' THEN 1 WHEN 'child_at_risk' THEN 2 WHEN 'time_critical' THEN 3 ELSE 4 END, x.created_at, x.reference`

// WithID limits the query to one submission.
func (q *SubmissionQuery) WithID(id string) *SubmissionQuery {
	q.conds = append(q.conds, idIn("x.id", []string{id}, &q.args))
	return q
}

// WithSubmitter keeps the submissions userID made.
func (q *SubmissionQuery) WithSubmitter(userID string) *SubmissionQuery {
	q.conds = append(q.conds, idIn("x.submitted_by", []string{userID}, &q.args))
	return q
}

// Open keeps the submissions still in triage (new, or with a question).
func (q *SubmissionQuery) Open() *SubmissionQuery {
	q.conds = append(q.conds, "x.status IN ('new', 'question')")
	return q
}

// WithStatus keeps the submissions in status st.
func (q *SubmissionQuery) WithStatus(st domain.SubmissionStatus) *SubmissionQuery {
	q.conds = append(q.conds, "x.status = "+q.args.Add(string(st)))
	return q
}

// NewestFirst orders the list newest first, rather than by urgency.
func (q *SubmissionQuery) NewestFirst() *SubmissionQuery {
	q.order = "x.created_at DESC, x.reference DESC"
	return q
}

const submissionSelect = `SELECT x.id, x.partnership_id, x.reference, x.source, x.what, x.where_text, x.when_text, x.who_text, x.contact,
	COALESCE(CAST(x.ocg_id AS text), ''), COALESCE(CAST(x.unit_id AS text), ''), x.priority, x.status, x.question, x.answer, x.decision_reason,
	COALESCE(CAST(x.report_id AS text), ''), x.classification, x.handling_code, x.restricted, COALESCE(CAST(x.origin_agency_id AS text), ''),
	COALESCE(CAST(x.submitted_by AS text), ''), COALESCE(CAST(x.decided_by AS text), ''), x.decided_at, x.created_at, x.updated_at,
	COALESCE(o.name, ''), COALESCE(u.name, ''), COALESCE(a.name, ''), COALESCE(sb.display_name, ''), COALESCE(db.display_name, ''), COALESCE(r.reference, '')
	FROM submission x
	LEFT JOIN ocg o ON o.id = x.ocg_id
	LEFT JOIN org_unit u ON u.id = x.unit_id
	LEFT JOIN agency a ON a.id = x.origin_agency_id
	LEFT JOIN app_user sb ON sb.id = x.submitted_by
	LEFT JOIN app_user db ON db.id = x.decided_by
	LEFT JOIN info_report r ON r.id = x.report_id`

func scanSubmission(r *sql.Rows) (domain.Submission, error) {
	var x domain.Submission
	var source, priority, status, class, handling string
	var decided sql.NullTime
	err := r.Scan(&x.ID, &x.PartnershipID, &x.Reference, &source, &x.What, &x.Where, &x.When, &x.Who, &x.Contact, &x.OCGID, &x.UnitID,
		&priority, &status, &x.Question, &x.Answer, &x.DecisionReason, &x.ReportID, &class, &handling, &x.Marking.Restricted,
		&x.Marking.OriginAgencyID, &x.SubmittedBy, &x.DecidedBy, &decided, &x.CreatedAt, &x.UpdatedAt,
		&x.OCGName, &x.UnitName, &x.AgencyName, &x.SubmitterName, &x.DeciderName, &x.ReportRef)
	x.Source, x.Priority, x.Status = domain.SubmissionSource(source), domain.Priority(priority), domain.SubmissionStatus(status)
	x.Marking.PartnershipID, x.Marking.Classification, x.Marking.Handling = x.PartnershipID, domain.Classification(class), domain.HandlingCode(handling)
	if decided.Valid {
		t := decided.Time.UTC()
		x.DecidedAt = &t
	}
	x.CreatedAt, x.UpdatedAt = x.CreatedAt.UTC(), x.UpdatedAt.UTC()
	return x, err
}

func (q *SubmissionQuery) where() string { return strings.Join(q.conds, " AND ") }

// List returns up to limit submissions in the query's order (the most
// urgent and longest waiting first unless NewestFirst), skipping offset.
func (q *SubmissionQuery) List(ctx context.Context, limit, offset int) ([]domain.Submission, error) {
	args := q.args
	return collect(ctx, q.s.rdb, "list submissions", submissionSelect+` WHERE `+q.where()+` ORDER BY `+q.order+
		` LIMIT `+args.Add(limit)+` OFFSET `+args.Add(max(offset, 0)), args.Values(), scanSubmission)
}

// Count returns how many submissions the query admits.
func (q *SubmissionQuery) Count(ctx context.Context) (int, error) {
	var n int
	if err := q.s.rdb.QueryRowContext(ctx, `SELECT count(*) FROM submission x WHERE `+q.where(), q.args.Values()...).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count submissions: %w", err)
	}
	return n, nil
}

// One returns the one submission the query admits, or not-found.
func (q *SubmissionQuery) One(ctx context.Context) (domain.Submission, error) {
	list, err := q.List(ctx, 1, 0)
	if err != nil {
		return domain.Submission{}, err
	}
	if len(list) == 0 {
		return domain.Submission{}, domain.NotFound("submission", "")
	}
	return list[0], nil
}

// TriageTargets returns the partnership's triage targets in hours by
// priority, the defaults where it has set none.
func (s *Store) TriageTargets(ctx context.Context, partnershipID string) (map[domain.Priority]time.Duration, error) {
	out := map[domain.Priority]time.Duration{}
	for p, h := range domain.DefaultTriageHours {
		out[p] = time.Duration(h) * time.Hour
	}
	type row struct {
		p string
		h int
	}
	rows, err := collect(ctx, s.rdb, "triage targets", `SELECT priority, hours FROM triage_target WHERE partnership_id = $1`, []any{partnershipID},
		func(r *sql.Rows) (row, error) { var x row; err := r.Scan(&x.p, &x.h); return x, err })
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		out[domain.Priority(r.p)] = time.Duration(r.h) * time.Hour
	}
	return out, nil
}

// SetTriageTargets replaces the partnership's triage targets, in hours by
// priority, in tx.
func (s *Store) SetTriageTargets(ctx context.Context, tx *sql.Tx, partnershipID string, hours map[domain.Priority]int) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM triage_target WHERE partnership_id = $1`, partnershipID); err != nil {
		return fmt.Errorf("store: triage targets: %w", err)
	}
	for _, p := range domain.Priorities {
		if h, ok := hours[p]; ok {
			if _, err := tx.ExecContext(ctx, `INSERT INTO triage_target (partnership_id, priority, hours) VALUES ($1, $2, $3)`, partnershipID, string(p), h); err != nil {
				return fmt.Errorf("store: triage target: %w", err)
			}
		}
	}
	return nil
}
