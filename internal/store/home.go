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

// The reads behind each role's home page. Every one that returns records
// starts from the access policy's predicate, like the register's lists.

// WithLRO keeps the groups whose lead responsible officer is userID.
func (q *OCGQuery) WithLRO(userID string) *OCGQuery {
	q.conds = append(q.conds, idIn("o.lro_user_id", []string{userID}, &q.args))
	return q
}

// WithCreatedBy keeps the disruptions userID recorded.
func (q *DisruptionQuery) WithCreatedBy(userID string) *DisruptionQuery {
	q.conds = append(q.conds, idIn("d.created_by", []string{userID}, &q.args))
	return q
}

// WithLeadAgency keeps the disruptions agencyID led.
func (q *DisruptionQuery) WithLeadAgency(agencyID string) *DisruptionQuery {
	q.conds = append(q.conds, idIn("d.lead_agency_id", []string{agencyID}, &q.args))
	return q
}

// DisruptedIn keeps the disruptions dated within p.
func (q *DisruptionQuery) DisruptedIn(p domain.Period) *DisruptionQuery {
	q.conds = append(q.conds, "d.disrupted_on >= "+q.args.Add(isoDay(p.From))+" AND d.disrupted_on <= "+q.args.Add(isoDay(p.To)))
	return q
}

// UpdatedBefore keeps the disruptions whose status last changed before t.
func (q *DisruptionQuery) UpdatedBefore(t time.Time) *DisruptionQuery {
	q.conds = append(q.conds, "d.updated_at < "+q.args.Add(t.UTC()))
	return q
}

// LongestWaiting orders List by how long each disruption has been in its
// status, the longest first, rather than newest first.
func (q *DisruptionQuery) LongestWaiting() *DisruptionQuery {
	q.order = "d.updated_at, d.reference"
	return q
}

// CountByStatus returns how many disruptions the query admits in each
// status.
func (q *DisruptionQuery) CountByStatus(ctx context.Context) (map[string]int, error) {
	return countsBy(ctx, q.s.rdb, "count disruptions by status", `SELECT d.status, count(*) FROM disruption d WHERE `+strings.Join(q.conds, " AND ")+
		` GROUP BY d.status`, q.args.Values())
}

// OldestUpdate returns when the longest-waiting disruption the query admits
// last changed status, or the zero time when it admits none.
func (q *DisruptionQuery) OldestUpdate(ctx context.Context) (time.Time, error) {
	list, err := collect(ctx, q.s.rdb, "oldest disruption", `SELECT d.updated_at FROM disruption d WHERE `+strings.Join(q.conds, " AND ")+
		` ORDER BY d.updated_at LIMIT 1`, q.args.Values(), func(r *sql.Rows) (time.Time, error) {
		var t time.Time
		err := r.Scan(&t)
		return t.UTC(), err
	})
	if err != nil || len(list) == 0 {
		return time.Time{}, err
	}
	return list[0], nil
}

// CreatedIn keeps the reports written within p.
func (q *InfoReportQuery) CreatedIn(from, to time.Time) *InfoReportQuery {
	q.conds = append(q.conds, "r.created_at >= "+q.args.Add(from.UTC())+" AND r.created_at < "+q.args.Add(to.UTC()))
	return q
}

// FromAgency keeps the reports agencyID wrote.
func (q *InfoReportQuery) FromAgency(agencyID string) *InfoReportQuery {
	q.conds = append(q.conds, idIn("r.origin_agency_id", []string{agencyID}, &q.args))
	return q
}

// ActionFilter chooses open plan actions: those on the plans of groups
// one LRO leads, or those asked of one agency (either, or both).
type ActionFilter struct {
	LROUserID     string
	OwnerAgencyID string
}

// ActionRow is an open plan action with the group whose current plan
// holds it.
type ActionRow struct {
	Action  domain.PlanAction
	OCGID   string
	OCGName string
	OverDue bool // set by the caller, which knows the day
}

// OpenActions returns the not-started and in-progress actions of the
// current plans of the groups actor may view that f chooses, the soonest
// due first, at most limit (all when limit ≤ 0), and how many there are.
func (s *Store) OpenActions(ctx context.Context, policy authz.Policy, actor domain.Actor, f ActionFilter, limit int) ([]ActionRow, int, error) {
	var args Args
	conds := []string{"pa.status IN ('not_started', 'in_progress')", "p.status <> 'closed'",
		predicate(policy, actor, authz.View, domain.KindOCG, "o", &args)}
	if f.LROUserID != "" {
		conds = append(conds, idIn("o.lro_user_id", []string{f.LROUserID}, &args))
	}
	if f.OwnerAgencyID != "" {
		conds = append(conds, idIn("pa.owner_agency_id", []string{f.OwnerAgencyID}, &args))
	}
	from := ` FROM plan_action pa JOIN plan p ON p.id = pa.plan_id JOIN ocg o ON o.id = p.ocg_id JOIN agency a ON a.id = pa.owner_agency_id
		WHERE ` + strings.Join(conds, " AND ")
	var n int
	if err := s.rdb.QueryRowContext(ctx, `SELECT count(*)`+from, args.Values()...).Scan(&n); err != nil {
		return nil, 0, fmt.Errorf("store: count open actions: %w", err)
	}
	query := `SELECT pa.id, pa.plan_id, pa.strand, pa.description, pa.owner_agency_id, a.name, pa.owner_name, pa.due_on, pa.status,
		o.id, o.name` + from + ` ORDER BY pa.due_on, o.reference, pa.created_at`
	if limit > 0 {
		query += ` LIMIT ` + args.Add(limit)
	}
	list, err := collect(ctx, s.rdb, "open actions", query, args.Values(), func(r *sql.Rows) (ActionRow, error) {
		var x ActionRow
		var strand, due, st string
		err := r.Scan(&x.Action.ID, &x.Action.PlanID, &strand, &x.Action.Description, &x.Action.OwnerAgencyID, &x.Action.OwnerAgencyName,
			&x.Action.OwnerName, &due, &st, &x.OCGID, &x.OCGName)
		x.Action.Strand, x.Action.Status = domain.FourP(strand), domain.ActionStatus(st)
		if d := day(sql.NullString{String: due, Valid: true}); d != nil {
			x.Action.DueOn = *d
		}
		return x, err
	})
	return list, n, err
}

// CurrentPlanDue is a group's current plan, in brief.
type CurrentPlanDue struct {
	Status    domain.PlanStatus
	ReviewDue time.Time
}

// CurrentPlansOf returns, for each of the groups listed that has one, its
// current plan's status and review date. The caller must already have
// been allowed to see the groups.
func (s *Store) CurrentPlansOf(ctx context.Context, ocgIDs []string) (map[string]CurrentPlanDue, error) {
	out := map[string]CurrentPlanDue{}
	if len(ocgIDs) == 0 {
		return out, nil
	}
	var args Args
	type planRow struct {
		ocg, status, review string
	}
	rows, err := collect(ctx, s.rdb, "current plans", `SELECT ocg_id, status, review_due FROM plan WHERE status <> 'closed' AND `+
		idIn("ocg_id", ocgIDs, &args)+` ORDER BY ocg_id, version`, args.Values(), func(r *sql.Rows) (planRow, error) {
		var p planRow
		err := r.Scan(&p.ocg, &p.status, &p.review)
		return p, err
	})
	if err != nil {
		return nil, err
	}
	for _, p := range rows { // the highest version last, so it wins
		c := CurrentPlanDue{Status: domain.PlanStatus(p.status)}
		if d := day(sql.NullString{String: p.review, Valid: true}); d != nil {
			c.ReviewDue = *d
		}
		out[p.ocg] = c
	}
	return out, nil
}

// ReaderCount is how many records one user read (consultation entries of
// the audit log, each record they named counted) since a time.
type ReaderCount struct {
	UserID, Name, Agency string
	Records, Entries     int
}

// RecordsReadSince counts, for each user of the partnership who read
// anything since since, the records their consultations named, the most
// first. It reads the audit log's own table; the caller decides who may.
func (s *Store) RecordsReadSince(ctx context.Context, partnershipID string, since time.Time) ([]ReaderCount, error) {
	// record_ids holds the IDs separated by single spaces.
	return collect(ctx, s.rdb, "records read", `SELECT e.actor_id, max(e.actor_name), max(e.agency_name),
		COALESCE(sum(CASE WHEN e.record_ids = '' THEN 0 ELSE length(e.record_ids) - length(replace(e.record_ids, ' ', '')) + 1 END), 0), count(*)
		FROM audit_event e WHERE e.partnership_id = $1 AND e.at >= $2 AND e.operation = 'consultation' AND e.actor_id <> ''
		GROUP BY e.actor_id ORDER BY 4 DESC, 2`, []any{partnershipID, since.UTC()}, func(r *sql.Rows) (ReaderCount, error) {
		var x ReaderCount
		err := r.Scan(&x.UserID, &x.Name, &x.Agency, &x.Records, &x.Entries)
		return x, err
	})
}

// OldestFirst orders the list by when each group was proposed, the
// earliest first.
func (q *OCGQuery) OldestFirst() *OCGQuery { q.order = "o.created_at, o.reference"; return q }
