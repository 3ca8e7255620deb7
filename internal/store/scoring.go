package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"

	"alliance/internal/domain"
)

// Scoring models are reference data shared by every partnership on the
// deployment, like the threat list. Each version is a row that is never
// rewritten: only its current flag falls when a newer version arrives.

const scoringModelSelect = `SELECT m.id, m.method, m.version, m.name, m.definition, m.is_default, m.current,
	COALESCE(CAST(m.created_by AS text), ''), COALESCE(u.display_name, ''), m.created_at
	FROM scoring_model m LEFT JOIN app_user u ON u.id = m.created_by`

func scanScoringModel(r interface{ Scan(...any) error }) (domain.ScoringModel, error) {
	var m domain.ScoringModel
	var method string
	if err := r.Scan(&m.ID, &method, &m.Version, &m.Name, &m.Definition, &m.IsDefault, &m.Current, &m.CreatedBy, &m.CreatedByName, &m.CreatedAt); err != nil {
		return m, err
	}
	m.Method, m.CreatedAt = domain.ScoringMethod(method), m.CreatedAt.UTC()
	def, err := domain.ParseScoringDefinition(m.Method, []byte(m.Definition))
	if err != nil {
		return m, fmt.Errorf("stored %s model version %d does not parse: %w", m.Method, m.Version, err)
	}
	m.Def = def
	return m, nil
}

// InsertScoringModel stores a new version of a model, filling ID and
// CreatedAt when empty. When m.Current, the method's other versions stop
// being current in the same transaction. A version number already taken
// is a domain.ErrConflict.
func (s *Store) InsertScoringModel(ctx context.Context, tx *sql.Tx, m *domain.ScoringModel) error {
	if m.ID == "" {
		m.ID = s.NewID()
	}
	if m.CreatedAt.IsZero() {
		m.CreatedAt = s.Now()
	}
	if m.Current {
		if _, err := tx.ExecContext(ctx, `UPDATE scoring_model SET current = FALSE WHERE method = $1 AND current`, string(m.Method)); err != nil {
			return fmt.Errorf("store: retire scoring models: %w", err)
		}
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO scoring_model (id, method, version, name, definition, is_default, current, created_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		m.ID, string(m.Method), m.Version, m.Name, m.Definition, m.IsDefault, m.Current, nullIfEmpty(m.CreatedBy), m.CreatedAt)
	if err != nil {
		return s.mapInsertErr(fmt.Errorf("store: insert scoring model: %w", err), "scoring model version")
	}
	return nil
}

// InsertFirstScoringModel stores m as version 1 of its method, current,
// unless a version 1 already exists, and reports whether it stored it.
// Two servers starting at once both call it safely: the unique (method,
// version) key lets exactly one insert win and the other do nothing.
func (s *Store) InsertFirstScoringModel(ctx context.Context, tx *sql.Tx, m *domain.ScoringModel) (bool, error) {
	if m.ID == "" {
		m.ID = s.NewID()
	}
	if m.CreatedAt.IsZero() {
		m.CreatedAt = s.Now()
	}
	m.Version, m.Current = 1, true
	res, err := tx.ExecContext(ctx, `INSERT INTO scoring_model (id, method, version, name, definition, is_default, current, created_by, created_at)
		VALUES ($1, $2, 1, $3, $4, $5, TRUE, $6, $7) ON CONFLICT (method, version) DO NOTHING`,
		m.ID, string(m.Method), m.Name, m.Definition, m.IsDefault, nullIfEmpty(m.CreatedBy), m.CreatedAt)
	if err != nil {
		return false, fmt.Errorf("store: insert first scoring model: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: insert first scoring model: %w", err)
	}
	return n == 1, nil
}

// NextScoringVersion returns the version number a new model of method
// would take: one more than the highest stored, or 1.
func (s *Store) NextScoringVersion(ctx context.Context, q Queryer, method domain.ScoringMethod) (int, error) {
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM scoring_model WHERE method = $1`, string(method)).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: next scoring version: %w", err)
	}
	return n + 1, nil
}

// ScoringModels lists every version of every model, by method and newest
// version first.
func (s *Store) ScoringModels(ctx context.Context) ([]domain.ScoringModel, error) {
	return collect(ctx, s.rdb, "scoring models", scoringModelSelect+` ORDER BY m.method, m.version DESC`, nil,
		func(r *sql.Rows) (domain.ScoringModel, error) { return scanScoringModel(r) })
}

// CurrentScoringModel returns the current version of method's model, or a
// not-found error when there is none.
func (s *Store) CurrentScoringModel(ctx context.Context, q Queryer, method domain.ScoringMethod) (domain.ScoringModel, error) {
	m, err := scanScoringModel(q.QueryRowContext(ctx, scoringModelSelect+` WHERE m.method = $1 AND m.current ORDER BY m.version DESC LIMIT 1`, string(method)))
	return m, one(err, "current scoring model", domain.NotFound("scoring model", string(method)))
}

// ScoringModelByID returns one stored model version.
func (s *Store) ScoringModelByID(ctx context.Context, q Queryer, id string) (domain.ScoringModel, error) {
	if _, err := uuid.Parse(id); err != nil {
		return domain.ScoringModel{}, domain.NotFound("scoring model", id)
	}
	m, err := scanScoringModel(q.QueryRowContext(ctx, scoringModelSelect+` WHERE m.id = $1`, id))
	return m, one(err, "scoring model", domain.NotFound("scoring model", id))
}

// InsertAssessment stores one assessment of a group in partnershipID,
// filling ID and CreatedAt when empty. Inputs and result are stored as
// JSON text exactly as given, so they can be recomputed later.
func (s *Store) InsertAssessment(ctx context.Context, tx *sql.Tx, partnershipID string, a *domain.Assessment) error {
	list := []domain.Assessment{*a}
	err := s.InsertAssessments(ctx, tx, partnershipID, list)
	*a = list[0]
	return err
}

const assessmentSelect = `SELECT a.id, a.ocg_id, a.method, a.model_id, m.version, m.name, a.assessed_on, a.inputs, a.result, a.score,
	a.band, a.priority, a.confidence, a.rationale, a.needs_review, a.review_note, a.assessed_by, u.display_name, a.created_at
	FROM ocg_assessment a
	JOIN scoring_model m ON m.id = a.model_id
	JOIN app_user u ON u.id = a.assessed_by`

// newestFirst orders assessments by the day assessed, then by when recorded.
const newestFirst = ` ORDER BY a.assessed_on DESC, a.created_at DESC, a.id DESC`

func scanAssessment(r interface{ Scan(...any) error }) (domain.Assessment, error) {
	var a domain.Assessment
	var method, on, inputs, result string
	err := r.Scan(&a.ID, &a.OCGID, &method, &a.ModelID, &a.ModelVersion, &a.ModelName, &on, &inputs, &result, &a.Score,
		&a.Band, &a.Priority, &a.Confidence, &a.Rationale, &a.NeedsReview, &a.ReviewNote, &a.AssessedBy, &a.AssessedByName, &a.CreatedAt)
	if err != nil {
		return a, err
	}
	a.Method, a.CreatedAt = domain.ScoringMethod(method), a.CreatedAt.UTC()
	if d := day(sql.NullString{String: on, Valid: true}); d != nil {
		a.AssessedOn = *d
	}
	if err := json.Unmarshal([]byte(inputs), &a.Inputs); err != nil {
		return a, fmt.Errorf("assessment %s inputs: %w", a.ID, err)
	}
	if err := json.Unmarshal([]byte(result), &a.Result); err != nil {
		return a, fmt.Errorf("assessment %s result: %w", a.ID, err)
	}
	return a, nil
}

// Assessments lists a group's assessments, newest first. The caller must
// already have been allowed to see the group.
func (s *Store) Assessments(ctx context.Context, ocgID string) ([]domain.Assessment, error) {
	return collect(ctx, s.rdb, "assessments", assessmentSelect+` WHERE a.ocg_id = $1`+newestFirst, []any{ocgID},
		func(r *sql.Rows) (domain.Assessment, error) { return scanAssessment(r) })
}

// LatestAssessment returns a group's newest assessment by method, or a
// not-found error when it has none.
func (s *Store) LatestAssessment(ctx context.Context, q Queryer, ocgID string, method domain.ScoringMethod) (domain.Assessment, error) {
	a, err := scanAssessment(q.QueryRowContext(ctx, assessmentSelect+` WHERE a.ocg_id = $1 AND a.method = $2`+newestFirst+` LIMIT 1`, ocgID, string(method)))
	return a, one(err, "latest assessment", domain.NotFound("assessment", string(method)))
}

// AssessmentByID returns one assessment. The caller decides who may see it.
func (s *Store) AssessmentByID(ctx context.Context, q Queryer, id string) (domain.Assessment, error) {
	if _, err := uuid.Parse(id); err != nil {
		return domain.Assessment{}, domain.NotFound("assessment", id)
	}
	a, err := scanAssessment(q.QueryRowContext(ctx, assessmentSelect+` WHERE a.id = $1`, id))
	return a, one(err, "assessment", domain.NotFound("assessment", id))
}

// SetOCGScore writes a group's score mirror columns (score, band, priority
// and scored_on), which follow its latest OCGM-style assessment, and
// nothing else of the group.
func (s *Store) SetOCGScore(ctx context.Context, tx *sql.Tx, ocgID string, score float64, band, priority string, on time.Time) error {
	res, err := tx.ExecContext(ctx, `UPDATE ocg SET score = $2, band = $3, priority = $4, scored_on = $5, updated_at = $6 WHERE id = $1`,
		ocgID, score, band, priority, on.Format("2006-01-02"), s.Now())
	if err != nil {
		return fmt.Errorf("store: set ocg score: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return domain.NotFound("group", ocgID)
	}
	return nil
}
