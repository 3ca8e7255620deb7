package store

import (
	"context"
	"database/sql"
	"fmt"

	"alliance/internal/domain"
)

// InsertProgramme stores p in tx, filling its ID and times.
func (s *Store) InsertProgramme(ctx context.Context, tx *sql.Tx, p *domain.Programme) error {
	if p.ID == "" {
		p.ID = s.NewID()
	}
	now := s.Now()
	if p.CreatedAt.IsZero() {
		p.CreatedAt = now
	}
	p.UpdatedAt = p.CreatedAt
	_, err := tx.ExecContext(ctx, `INSERT INTO programme (id, partnership_id, name, kind, owner_agency_id, min_age, max_age, rules, active,
		created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		p.ID, p.PartnershipID, p.Name, string(p.Kind), p.OwnerAgencyID, p.MinAge, p.MaxAge, p.Rules, p.Active, p.CreatedBy, p.CreatedAt, p.UpdatedAt)
	if err != nil {
		return s.mapInsertErr(fmt.Errorf("store: insert programme: %w", err), "programme")
	}
	return nil
}

// UpdateProgramme writes p's name, kind, owner, ages, rules and whether it
// is active, in tx; a programme of another partnership is not found.
func (s *Store) UpdateProgramme(ctx context.Context, tx *sql.Tx, p *domain.Programme) error {
	p.UpdatedAt = s.Now()
	res, err := tx.ExecContext(ctx, `UPDATE programme SET name = $3, kind = $4, owner_agency_id = $5, min_age = $6, max_age = $7, rules = $8,
		active = $9, updated_at = $10 WHERE id = $1 AND partnership_id = $2`,
		p.ID, p.PartnershipID, p.Name, string(p.Kind), p.OwnerAgencyID, p.MinAge, p.MaxAge, p.Rules, p.Active, p.UpdatedAt)
	if err != nil {
		return s.mapInsertErr(fmt.Errorf("store: update programme: %w", err), "programme")
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("store: update programme: %w", err)
	} else if n == 0 {
		return domain.NotFound("programme", p.ID)
	}
	return nil
}

const programmeSelect = `SELECT p.id, p.partnership_id, p.name, p.kind, p.owner_agency_id, a.name, p.min_age, p.max_age, p.rules, p.active,
	p.created_by, p.created_at, p.updated_at FROM programme p JOIN agency a ON a.id = p.owner_agency_id`

func scanProgramme(r *sql.Rows) (domain.Programme, error) {
	var p domain.Programme
	var kind string
	err := r.Scan(&p.ID, &p.PartnershipID, &p.Name, &kind, &p.OwnerAgencyID, &p.OwnerName, &p.MinAge, &p.MaxAge, &p.Rules, &p.Active,
		&p.CreatedBy, &p.CreatedAt, &p.UpdatedAt)
	p.Kind, p.CreatedAt, p.UpdatedAt = domain.ProgrammeKind(kind), p.CreatedAt.UTC(), p.UpdatedAt.UTC()
	return p, err
}

// Programmes returns the partnership's programmes by name.
func (s *Store) Programmes(ctx context.Context, partnershipID string) ([]domain.Programme, error) {
	return collect(ctx, s.rdb, "programmes", programmeSelect+` WHERE p.partnership_id = $1 ORDER BY p.name`, []any{partnershipID}, scanProgramme)
}

// Programme returns one programme of the partnership, or a not-found error.
func (s *Store) Programme(ctx context.Context, partnershipID, id string) (domain.Programme, error) {
	var args Args
	cond := idIn("p.id", []string{id}, &args)
	list, err := collect(ctx, s.rdb, "programme", programmeSelect+` WHERE `+cond+` AND p.partnership_id = `+args.Add(partnershipID), args.Values(), scanProgramme)
	if err != nil {
		return domain.Programme{}, err
	}
	if len(list) != 1 {
		return domain.Programme{}, domain.NotFound("programme", id)
	}
	return list[0], nil
}
