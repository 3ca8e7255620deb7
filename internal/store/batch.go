package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"alliance/internal/domain"
	"alliance/internal/store/dialect"
)

// InsertEntities stores new entities of one partnership inside tx, as
// InsertEntity does one at a time but with one statement per table (a
// handful per kind of row) rather than several per record: each kind's
// references come from the partnership's counter in one step. IDs, times
// and references are filled in list where empty. Loaders that already hold
// a transaction (the demo) use it; imports use Bulk.
func (s *Store) InsertEntities(ctx context.Context, tx *sql.Tx, list []domain.Entity) error {
	if len(list) == 0 {
		return nil
	}
	pid := list[0].Marking.PartnershipID
	now := s.Now()
	need := map[domain.EntityKind]int{}
	for i := range list {
		e := &list[i]
		if e.Marking.PartnershipID != pid {
			return fmt.Errorf("store: insert entities: records of two partnerships in one batch")
		}
		if _, ok := entityPrefix[e.Kind]; !ok {
			return fmt.Errorf("store: unknown entity kind %q", e.Kind)
		}
		if e.Reference == "" {
			need[e.Kind]++
		}
	}
	next := map[domain.EntityKind]int64{}
	for _, k := range domain.EntityKinds {
		if need[k] > 0 {
			first, err := s.reserveNumbers(ctx, tx, pid, "entity_"+string(k), need[k])
			if err != nil {
				return err
			}
			next[k] = first
		}
	}
	var rows, aliases, flags, conds, grants [][]any
	for i := range list {
		e := &list[i]
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
			e.Reference = fmt.Sprintf("%s-%06d", entityPrefix[e.Kind], next[e.Kind])
			next[e.Kind]++
		}
		m := e.Marking
		rows = append(rows, []any{e.ID, pid, e.Reference, string(e.Kind), e.Name, e.Identifier, domain.Day(e.DOB), e.Gender, e.Detail,
			string(m.Classification), string(m.Handling), e.HandlingNote, m.Restricted, m.OriginAgencyID, e.CreatedBy, e.CreatedAt, e.UpdatedAt})
		for _, a := range appendUniqueStr(nil, e.Aliases...) {
			aliases = append(aliases, []any{pid, e.ID, "alias", a})
		}
		for _, a := range appendUniqueStr(nil, e.Nicknames...) {
			aliases = append(aliases, []any{pid, e.ID, "nickname", a})
		}
		for _, f := range appendUniqueStr(nil, e.Flags...) {
			flags = append(flags, []any{pid, e.ID, f})
		}
		conds, grants = markingRows(conds, grants, e.ID, m)
	}
	keys, docs := entitySearchRows(list, true)
	for _, t := range []struct {
		table string
		cols  []string
		rows  [][]any
	}{{"entity", entityCols, rows}, {"entity_alias", aliasCols, aliases}, {"entity_flag", flagCols, flags},
		{"record_condition", conditionCols, conds}, {"record_grant", grantCols, grants}, {"search_key", keyCols, keys}, {"search_doc", docCols, docs}} {
		if err := dialect.InsertRows(ctx, s.d, tx, t.table, t.cols, t.rows); err != nil {
			return fmt.Errorf("store: insert entities: %w", err)
		}
	}
	return nil
}

// InsertLinks stores links of partnershipID inside tx together, filling
// IDs and times where empty.
func (s *Store) InsertLinks(ctx context.Context, tx *sql.Tx, partnershipID string, list []domain.Link) error {
	return insertEach(ctx, s, tx, "link", linkInsCols, list, func(l *domain.Link, now time.Time) ([]any, error) {
		s.fillIDTime(&l.ID, &l.CreatedAt, now)
		return []any{l.ID, partnershipID, string(l.FromKind), l.FromID, string(l.ToKind), l.ToID, string(l.Type), string(l.Role),
			domain.Day(l.ValidFrom), domain.Day(l.ValidTo), l.SourceRef, string(l.Confidence), l.Note, l.CreatedBy, l.CreatedAt}, nil
	})
}

// insertEach writes one row of table for each element of list, which row
// completes (its ID and times, from now, where empty) and turns into the
// row's values, a few statements in all (dialect.InsertRows).
func insertEach[T any](ctx context.Context, s *Store, tx *sql.Tx, table string, cols []string, list []T, row func(*T, time.Time) ([]any, error)) error {
	now := s.Now()
	rows := make([][]any, 0, len(list))
	for i := range list {
		r, err := row(&list[i], now)
		if err != nil {
			return err
		}
		rows = append(rows, r)
	}
	if err := dialect.InsertRows(ctx, s.d, tx, table, cols, rows); err != nil {
		return fmt.Errorf("store: insert %s rows: %w", table, err)
	}
	return nil
}

// fillIDTime gives a new record an ID and a time (now) where they are empty.
func (s *Store) fillIDTime(id *string, at *time.Time, now time.Time) {
	if *id == "" {
		*id = s.NewID()
	}
	if at.IsZero() {
		*at = now
	}
}

// reserveNumbers advances partnershipID's counter for kind by n in one
// statement and returns the first of the n numbers it handed out.
func (s *Store) reserveNumbers(ctx context.Context, tx *sql.Tx, partnershipID, kind string, n int) (int64, error) {
	var last int64
	err := tx.QueryRowContext(ctx, `INSERT INTO record_counter (partnership_id, kind, next) VALUES ($1, $2, $3)
		ON CONFLICT (partnership_id, kind) DO UPDATE SET next = record_counter.next + $3 RETURNING next`, partnershipID, kind, int64(n)).Scan(&last)
	if err != nil {
		return 0, fmt.Errorf("store: reserve %d %s numbers: %w", n, kind, err)
	}
	return last - int64(n) + 1, nil
}

// InsertTransitions records lifecycle steps of partnershipID's groups
// together, as InsertTransition does one, filling IDs and times where
// empty.
func (s *Store) InsertTransitions(ctx context.Context, tx *sql.Tx, partnershipID string, list []domain.Transition) error {
	return insertEach(ctx, s, tx, "ocg_transition", transCols, list, func(t *domain.Transition, now time.Time) ([]any, error) {
		s.fillIDTime(&t.ID, &t.At, now)
		return []any{t.ID, partnershipID, t.OCGID, string(t.From), string(t.To), t.DecidedOn.Format("2006-01-02"), t.Decision, t.Note, t.ActorID, t.At}, nil
	})
}

var planActionCols = []string{"id", "partnership_id", "plan_id", "strand", "description", "owner_agency_id", "owner_name", "due_on", "status", "outcome",
	"created_at", "updated_at"}

// InsertPlanActions adds actions to plans of partnershipID together, as
// InsertPlanAction does one, filling IDs and times where empty.
func (s *Store) InsertPlanActions(ctx context.Context, tx *sql.Tx, partnershipID string, list []domain.PlanAction) error {
	return insertEach(ctx, s, tx, "plan_action", planActionCols, list, func(a *domain.PlanAction, now time.Time) ([]any, error) {
		s.fillIDTime(&a.ID, &a.CreatedAt, now)
		a.UpdatedAt = a.CreatedAt
		return []any{a.ID, partnershipID, a.PlanID, string(a.Strand), a.Description, a.OwnerAgencyID, a.OwnerName, a.DueOn.Format("2006-01-02"),
			string(a.Status), a.Outcome, a.CreatedAt, a.UpdatedAt}, nil
	})
}

var assessmentCols = []string{"id", "partnership_id", "ocg_id", "method", "model_id", "assessed_on", "inputs", "result", "score", "band", "priority",
	"confidence", "rationale", "needs_review", "review_note", "assessed_by", "created_at"}

// InsertAssessments stores assessments of groups in partnershipID
// together, as InsertAssessment does one, filling IDs and times where
// empty.
func (s *Store) InsertAssessments(ctx context.Context, tx *sql.Tx, partnershipID string, list []domain.Assessment) error {
	return insertEach(ctx, s, tx, "ocg_assessment", assessmentCols, list, func(a *domain.Assessment, now time.Time) ([]any, error) {
		s.fillIDTime(&a.ID, &a.CreatedAt, now)
		inputs, err := json.Marshal(a.Inputs)
		if err != nil {
			return nil, fmt.Errorf("store: assessment inputs: %w", err)
		}
		result, err := json.Marshal(a.Result)
		if err != nil {
			return nil, fmt.Errorf("store: assessment result: %w", err)
		}
		return []any{a.ID, partnershipID, a.OCGID, string(a.Method), a.ModelID, a.AssessedOn.Format("2006-01-02"), string(inputs), string(result),
			a.Score, a.Band, a.Priority, a.Confidence, a.Rationale, a.NeedsReview, a.ReviewNote, a.AssessedBy, a.CreatedAt}, nil
	})
}

var activityCols = []string{"id", "partnership_id", "reference", "title", "kind", "ocg_id", "lead_agency_id", "apmis_ref", "opened_on", "closed_on",
	"classification", "handling_code", "handling_conditions", "restricted", "origin_agency_id", "created_by", "created_at", "updated_at"}

// InsertActivities stores new activities of one partnership together, as
// InsertActivity does one, numbering those without a reference ACT-000001
// from the partnership's counter in one step.
func (s *Store) InsertActivities(ctx context.Context, tx *sql.Tx, list []domain.Activity) error {
	if len(list) == 0 {
		return nil
	}
	pid := list[0].Marking.PartnershipID
	need := 0
	for i := range list {
		if list[i].Marking.PartnershipID != pid {
			return fmt.Errorf("store: insert activities: records of two partnerships in one batch")
		}
		if list[i].Reference == "" {
			need++
		}
	}
	var next int64
	if need > 0 {
		var err error
		if next, err = s.reserveNumbers(ctx, tx, pid, "activity", need); err != nil {
			return err
		}
	}
	now := s.Now()
	var rows, conds, grants [][]any
	for i := range list {
		a := &list[i]
		s.fillIDTime(&a.ID, &a.CreatedAt, now)
		a.UpdatedAt = a.CreatedAt
		if a.Reference == "" {
			a.Reference = fmt.Sprintf("ACT-%06d", next)
			next++
		}
		m := a.Marking
		rows = append(rows, []any{a.ID, pid, a.Reference, a.Title, a.Kind, nullIfEmpty(a.OCGID), a.LeadAgencyID, a.APMISRef, domain.Day(&a.OpenedOn),
			domain.Day(a.ClosedOn), string(m.Classification), string(m.Handling), a.HandlingNote, m.Restricted, m.OriginAgencyID, a.CreatedBy, a.CreatedAt, a.UpdatedAt})
		conds, grants = markingRows(conds, grants, a.ID, m)
	}
	if err := dialect.InsertRows(ctx, s.d, tx, "activity", activityCols, rows); err != nil {
		return s.mapInsertErr(fmt.Errorf("store: insert activity: %w", err), "activity")
	}
	for _, t := range []struct {
		table string
		cols  []string
		rows  [][]any
	}{{"record_condition", conditionCols, conds}, {"record_grant", grantCols, grants}} {
		if err := dialect.InsertRows(ctx, s.d, tx, t.table, t.cols, t.rows); err != nil {
			return fmt.Errorf("store: insert activities: %w", err)
		}
	}
	return nil
}
