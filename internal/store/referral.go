package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"alliance/internal/domain"
)

// InsertReferral stores r in tx, filling its ID, reference and times.
func (s *Store) InsertReferral(ctx context.Context, tx *sql.Tx, r *domain.Referral) error {
	now := s.Now()
	if r.ID == "" {
		r.ID = s.NewID()
	}
	if r.CreatedAt.IsZero() {
		r.CreatedAt = now
	}
	r.UpdatedAt = r.CreatedAt
	if r.Reference == "" {
		n, err := s.nextNumber(ctx, tx, r.PartnershipID, "referral")
		if err != nil {
			return err
		}
		r.Reference = fmt.Sprintf("REF-%d-%06d", r.ReferredOn.Year(), n)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO referral (id, partnership_id, reference, programme_id, subject_name, subject_dob, subject_gender,
		age_at_referral, source, incident_ref, incident_on, referred_on, facts, route, consent_young_on, consent_parent_on, status, outcome,
		worker_user_id, agency_id, created_by, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23)`,
		r.ID, r.PartnershipID, r.Reference, r.ProgrammeID, r.SubjectName, isoDay(r.SubjectDOB), r.SubjectGender, r.AgeAtReferral, string(r.Source),
		r.IncidentRef, isoDay(r.IncidentOn), isoDay(r.ReferredOn), r.Facts, r.Route, dayArg(r.ConsentYoung), dayArg(r.ConsentParent),
		string(r.Status), string(r.Outcome), nullIfEmpty(r.WorkerID), r.AgencyID, r.CreatedBy, r.CreatedAt, r.UpdatedAt)
	if err != nil {
		return s.mapInsertErr(fmt.Errorf("store: insert referral: %w", err), "referral")
	}
	return nil
}

// dayArg is a nullable day as the column holds it.
func dayArg(t *time.Time) any {
	if t == nil {
		return nil
	}
	return isoDay(*t)
}

// UpdateReferralStatus writes a referral's status, outcome and worker in
// tx.
func (s *Store) UpdateReferralStatus(ctx context.Context, tx *sql.Tx, r *domain.Referral) error {
	r.UpdatedAt = s.Now()
	_, err := tx.ExecContext(ctx, `UPDATE referral SET status = $2, outcome = $3, worker_user_id = $4, updated_at = $5 WHERE id = $1`,
		r.ID, string(r.Status), string(r.Outcome), nullIfEmpty(r.WorkerID), r.UpdatedAt)
	if err != nil {
		return fmt.Errorf("store: update referral: %w", err)
	}
	return nil
}

// InsertReferralSession stores a session in tx.
func (s *Store) InsertReferralSession(ctx context.Context, tx *sql.Tx, x *domain.ReferralSession) error {
	x.ID, x.CreatedAt = s.NewID(), s.Now()
	_, err := tx.ExecContext(ctx, `INSERT INTO referral_session (id, referral_id, held_on, attended, note, created_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, x.ID, x.ReferralID, isoDay(x.HeldOn), x.Attended, x.Note, x.CreatedBy, x.CreatedAt)
	if err != nil {
		return fmt.Errorf("store: insert referral session: %w", err)
	}
	return nil
}

// ReferralSessions returns a referral's sessions, earliest first.
func (s *Store) ReferralSessions(ctx context.Context, referralID string) ([]domain.ReferralSession, error) {
	return collect(ctx, s.rdb, "referral sessions", `SELECT id, referral_id, held_on, attended, note, created_by, created_at FROM referral_session
		WHERE referral_id = $1 ORDER BY held_on, created_at`, []any{referralID}, func(r *sql.Rows) (domain.ReferralSession, error) {
		var x domain.ReferralSession
		var on sql.NullString
		err := r.Scan(&x.ID, &x.ReferralID, &on, &x.Attended, &x.Note, &x.CreatedBy, &x.CreatedAt)
		if d := day(on); d != nil {
			x.HeldOn = *d
		}
		return x, err
	})
}

// ReferralQuery lists referrals behind the firewall: a partnership's
// referral coordinators read them all; anyone else only those allocated
// to them or made by them. The rule is in the SQL of every list, count and
// lookup, so no page can show more.
type ReferralQuery struct {
	s     *Store
	args  Args
	conds []string
}

// NewReferralQuery starts a query for actor.
func (s *Store) NewReferralQuery(actor domain.Actor) *ReferralQuery {
	q := &ReferralQuery{s: s}
	pid := q.args.Add(actor.PartnershipID)
	cond := "x.partnership_id = " + pid
	if !actor.Has(domain.RoleReferralCoordinator) {
		u := q.args.Add(actor.UserID)
		cond += " AND (x.worker_user_id = " + u + " OR x.created_by = " + u + ")"
	}
	q.conds = append(q.conds, "("+cond+")")
	return q
}

// WithID limits the query to one referral; a malformed id matches none.
func (q *ReferralQuery) WithID(id string) *ReferralQuery {
	q.conds = append(q.conds, idIn("x.id", []string{id}, &q.args))
	return q
}

// WithProgramme limits the query to one programme.
func (q *ReferralQuery) WithProgramme(id string) *ReferralQuery {
	q.conds = append(q.conds, idIn("x.programme_id", []string{id}, &q.args))
	return q
}

// WithStatus limits the query to one status.
func (q *ReferralQuery) WithStatus(st domain.ReferralStatus) *ReferralQuery {
	q.conds = append(q.conds, "x.status = "+q.args.Add(string(st)))
	return q
}

const referralSelect = `SELECT x.id, x.partnership_id, x.reference, x.programme_id, p.name, x.subject_name, x.subject_dob, x.subject_gender,
	x.age_at_referral, x.source, x.incident_ref, x.incident_on, x.referred_on, x.facts, x.route, x.consent_young_on, x.consent_parent_on,
	x.status, x.outcome, COALESCE(CAST(x.worker_user_id AS text), ''), COALESCE(w.display_name, ''), x.agency_id, a.name, x.created_by,
	c.display_name, x.created_at, x.updated_at
	FROM referral x
	JOIN programme p ON p.id = x.programme_id
	JOIN agency a ON a.id = x.agency_id
	JOIN app_user c ON c.id = x.created_by
	LEFT JOIN app_user w ON w.id = x.worker_user_id`

func scanReferral(r *sql.Rows) (domain.Referral, error) {
	var x domain.Referral
	var dob, inc, ref, cy, cp sql.NullString
	var source, status, outcome string
	err := r.Scan(&x.ID, &x.PartnershipID, &x.Reference, &x.ProgrammeID, &x.ProgrammeName, &x.SubjectName, &dob, &x.SubjectGender,
		&x.AgeAtReferral, &source, &x.IncidentRef, &inc, &ref, &x.Facts, &x.Route, &cy, &cp, &status, &outcome, &x.WorkerID, &x.WorkerName,
		&x.AgencyID, &x.AgencyName, &x.CreatedBy, &x.CreatedByName, &x.CreatedAt, &x.UpdatedAt)
	for _, d := range []struct {
		ns  sql.NullString
		out *time.Time
	}{{dob, &x.SubjectDOB}, {inc, &x.IncidentOn}, {ref, &x.ReferredOn}} {
		if t := day(d.ns); t != nil {
			*d.out = *t
		}
	}
	x.ConsentYoung, x.ConsentParent = day(cy), day(cp)
	x.Source, x.Status, x.Outcome = domain.ReferralSource(source), domain.ReferralStatus(status), domain.ReferralOutcome(outcome)
	x.CreatedAt, x.UpdatedAt = x.CreatedAt.UTC(), x.UpdatedAt.UTC()
	return x, err
}

func (q *ReferralQuery) where() string { return strings.Join(q.conds, " AND ") }

// List returns up to limit referrals, the most recently referred first.
func (q *ReferralQuery) List(ctx context.Context, limit, offset int) ([]domain.Referral, error) {
	args := q.args
	return collect(ctx, q.s.rdb, "list referrals", referralSelect+` WHERE `+q.where()+` ORDER BY x.referred_on DESC, x.reference DESC
		LIMIT `+args.Add(limit)+` OFFSET `+args.Add(max(offset, 0)), args.Values(), scanReferral)
}

// Count returns how many referrals the query admits.
func (q *ReferralQuery) Count(ctx context.Context) (int, error) {
	var n int
	if err := q.s.rdb.QueryRowContext(ctx, `SELECT count(*) FROM referral x WHERE `+q.where(), q.args.Values()...).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count referrals: %w", err)
	}
	return n, nil
}

// One returns the one referral the query admits, or a not-found error.
func (q *ReferralQuery) One(ctx context.Context) (domain.Referral, error) {
	list, err := q.List(ctx, 2, 0)
	if err != nil {
		return domain.Referral{}, err
	}
	if len(list) != 1 {
		return domain.Referral{}, domain.NotFound("referral", "")
	}
	return list[0], nil
}

// ReferralCount is how many of a programme's referrals in a period have a
// status and outcome, and how many of them attended a session.
type ReferralCount struct {
	Status   domain.ReferralStatus
	Outcome  domain.ReferralOutcome
	Count    int
	Attended int
}

// ReferralCounts counts the programme's referrals made from from up to
// (not including) to, by status and outcome: aggregates, no personal data.
func (s *Store) ReferralCounts(ctx context.Context, partnershipID, programmeID string, from, to time.Time) ([]ReferralCount, error) {
	return collect(ctx, s.rdb, "referral counts", `SELECT x.status, x.outcome, count(*),
		sum(CASE WHEN EXISTS (SELECT 1 FROM referral_session rs WHERE rs.referral_id = x.id AND rs.attended) THEN 1 ELSE 0 END)
		FROM referral x WHERE x.partnership_id = $1 AND x.programme_id = $2 AND x.referred_on >= $3 AND x.referred_on < $4
		GROUP BY x.status, x.outcome ORDER BY x.status, x.outcome`, []any{partnershipID, programmeID, isoDay(from), isoDay(to)},
		func(r *sql.Rows) (ReferralCount, error) {
			var c ReferralCount
			var st, out string
			err := r.Scan(&st, &out, &c.Count, &c.Attended)
			c.Status, c.Outcome = domain.ReferralStatus(st), domain.ReferralOutcome(out)
			return c, err
		})
}
