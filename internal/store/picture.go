package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"alliance/internal/authz"
	"alliance/internal/domain"
)

// The OCG picture: how many groups were scored and mapped on a day, how
// many were dismantled in a period, and which groups need attention. Every
// query starts from the access policy's predicate (through NewOCGQuery), so
// a figure never counts a group the viewer could not see.

// ThreatCount is how many groups a figure counts under one primary threat.
type ThreatCount struct {
	Threat domain.Threat
	Count  int
}

// isoDay writes t as the ISO day the register's day columns hold.
func isoDay(t time.Time) string { return t.Format("2006-01-02") }

// statusOn is the SQL for a group's status at the end of day p (a
// placeholder holding an ISO day): the status its latest lifecycle step
// decided on or before that day led to, or NULL before its first step.
func statusOn(p string) string {
	return `(SELECT t.to_status FROM ocg_transition t WHERE t.ocg_id = o.id AND t.decided_on <= ` + p + `
		ORDER BY t.decided_on DESC, t.at DESC, t.id DESC LIMIT 1)`
}

// MappedOn counts, by primary threat, the groups actor may count that were
// scored and mapped on day: their status that day (from the lifecycle
// history) was mapped, adopted or managed, and they had an OCGM assessment
// (or a recorded score) on or before it.
func (s *Store) MappedOn(ctx context.Context, policy authz.Policy, actor domain.Actor, day time.Time) ([]ThreatCount, error) {
	q := s.NewOCGQuery(policy, actor, authz.Count)
	d := q.Arg(isoDay(day))
	q.Where(statusOn(d) + ` IN ('mapped', 'adopted', 'managed')`)
	q.Where(`EXISTS (SELECT 1 FROM ocg_assessment oa WHERE oa.ocg_id = o.id AND oa.method = 'ocgm' AND oa.assessed_on <= ` + d + `)
		OR (o.score IS NOT NULL AND (o.scored_on IS NULL OR o.scored_on <= ` + d + `))`)
	return s.threatCounts(ctx, q)
}

// DismantledIn counts, by primary threat, the groups actor may count that
// are archived as dismantled by a decision taken between from and to (days,
// both included). A group reopened since, or archived for another reason
// (merged, transferred, inactive, not an OCG), is not counted.
func (s *Store) DismantledIn(ctx context.Context, policy authz.Policy, actor domain.Actor, from, to time.Time) ([]ThreatCount, error) {
	q := s.NewOCGQuery(policy, actor, authz.Count)
	f, t := q.Arg(isoDay(from)), q.Arg(isoDay(to))
	q.Where(`o.status = 'archived' AND o.archive_reason = 'dismantled'`)
	q.Where(`(SELECT max(t.decided_on) FROM ocg_transition t WHERE t.ocg_id = o.id AND t.to_status = 'archived') BETWEEN ` + f + ` AND ` + t)
	return s.threatCounts(ctx, q)
}

// threatCounts runs q grouped by primary threat and names the threats, in
// the reference data's order.
func (s *Store) threatCounts(ctx context.Context, q *OCGQuery) ([]ThreatCount, error) {
	counts, err := q.CountBy(ctx, "o.primary_threat")
	if err != nil {
		return nil, err
	}
	if len(counts) == 0 {
		return nil, nil
	}
	threats, err := s.allThreats(ctx)
	if err != nil {
		return nil, err
	}
	var out []ThreatCount
	for _, th := range threats {
		if n := counts[th.Code]; n > 0 {
			out = append(out, ThreatCount{Threat: th, Count: n})
			delete(counts, th.Code)
		}
	}
	if len(counts) > 0 {
		return nil, fmt.Errorf("store: picture: groups counted under unknown threats %v", counts)
	}
	return out, nil
}

// allThreats is the threat reference data, retired threats included: old
// groups are still counted under the threat they had.
func (s *Store) allThreats(ctx context.Context) ([]domain.Threat, error) {
	return collect(ctx, s.rdb, "all threats", `SELECT code, name, picture_group, national, sort_order FROM threat ORDER BY sort_order, name`, nil,
		func(r *sql.Rows) (domain.Threat, error) {
			var t domain.Threat
			err := r.Scan(&t.Code, &t.Name, &t.PictureGroup, &t.National, &t.SortOrder)
			return t, err
		})
}

// AttentionRow is a group on the needs-attention list with what the
// reasons are worked out from: the group (LRO, score, review date) and its
// current 4P plan, if any.
type AttentionRow struct {
	OCG           domain.OCG
	HasPlan       bool
	PlanStatus    domain.PlanStatus
	PlanReviewDue *time.Time
}

// NeedsAttention returns the mapped, adopted and managed groups actor may
// list that on today lack an LRO or a current 4P plan (adopted and managed
// groups), lack a score, or are past their own or their plan's review
// date, highest score first.
func (s *Store) NeedsAttention(ctx context.Context, policy authz.Policy, actor domain.Actor, today time.Time) ([]AttentionRow, error) {
	q := s.NewOCGQuery(policy, actor, authz.List).WithStatuses(domain.StatusMapped, domain.StatusAdopted, domain.StatusManaged).ByScore()
	d := q.Arg(isoDay(today))
	const current = `SELECT 1 FROM plan p WHERE p.ocg_id = o.id AND p.status <> 'closed'`
	q.Where(`(o.status IN ('adopted', 'managed') AND (o.lro_user_id IS NULL OR NOT EXISTS (` + current + `)))
		OR o.score IS NULL
		OR o.review_due < ` + d + `
		OR EXISTS (` + current + ` AND p.review_due < ` + d + `)`)
	groups, err := q.List(ctx, 0, 0)
	if err != nil || len(groups) == 0 {
		return nil, err
	}
	rows := make([]AttentionRow, len(groups))
	idx := make(map[string]int, len(groups))
	var args Args
	ps := make([]string, len(groups))
	for i, o := range groups {
		rows[i].OCG = o
		idx[o.ID] = i
		ps[i] = args.Add(o.ID)
	}
	type planRow struct {
		ocg, status string
		review      sql.NullString
	}
	plans, err := collect(ctx, s.rdb, "attention plans", `SELECT ocg_id, status, review_due FROM plan
		WHERE status <> 'closed' AND ocg_id IN (`+strings.Join(ps, ", ")+`) ORDER BY ocg_id, version`, args.Values(),
		func(r *sql.Rows) (planRow, error) {
			var p planRow
			err := r.Scan(&p.ocg, &p.status, &p.review)
			return p, err
		})
	if err != nil {
		return nil, err
	}
	for _, p := range plans { // the highest version last, so it wins
		row := &rows[idx[p.ocg]]
		row.HasPlan, row.PlanStatus, row.PlanReviewDue = true, domain.PlanStatus(p.status), day(p.review)
	}
	return rows, nil
}

// PictureYears returns the financial years in which actor may count a
// lifecycle step of a group, newest first: the years a picture can be
// asked for.
func (s *Store) PictureYears(ctx context.Context, policy authz.Policy, actor domain.Actor) ([]domain.FiscalYear, error) {
	var args Args
	pred := predicate(policy, actor, authz.Count, domain.KindOCG, "o", &args)
	months, err := collect(ctx, s.rdb, "picture years", `SELECT DISTINCT substr(t.decided_on, 1, 7) FROM ocg_transition t
		JOIN ocg o ON o.id = t.ocg_id WHERE `+pred, args.Values(),
		func(r *sql.Rows) (string, error) { var m string; err := r.Scan(&m); return m, err })
	if err != nil {
		return nil, err
	}
	var years []domain.FiscalYear
	for _, m := range months {
		t, err := time.Parse("2006-01", m)
		if err != nil {
			return nil, fmt.Errorf("store: picture years: decision month %q: %w", m, err)
		}
		if y := domain.FiscalYearOf(t); !slices.Contains(years, y) {
			years = append(years, y)
		}
	}
	slices.SortFunc(years, func(a, b domain.FiscalYear) int { return int(b) - int(a) })
	return years, nil
}
