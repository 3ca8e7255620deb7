package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"alliance/internal/domain"
)

// InsertISA stores an agreement and its parties.
func (s *Store) InsertISA(ctx context.Context, tx *sql.Tx, i *domain.ISA) error {
	now := s.Now()
	if i.ID == "" {
		i.ID = s.NewID()
	}
	i.CreatedAt, i.UpdatedAt = now, now
	var ends any
	if !i.EndsOn.IsZero() {
		ends = i.EndsOn
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO isa (id, partnership_id, reference, title, purposes, data_categories, gateways, regime, status,
		starts_on, ends_on, review_on, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
		i.ID, i.PartnershipID, i.Reference, i.Title, i.Purposes, i.DataCategories, i.Gateways, i.Regime, i.Status, i.StartsOn, ends, i.ReviewOn, now, now)
	if err != nil {
		return s.mapInsertErr(fmt.Errorf("store: insert isa: %w", err), "sharing agreement")
	}
	for _, a := range i.Parties {
		if _, err := tx.ExecContext(ctx, `INSERT INTO isa_party (partnership_id, isa_id, agency_id) VALUES ($1, $2, $3)`, i.PartnershipID, i.ID, a); err != nil {
			return fmt.Errorf("store: isa party: %w", err)
		}
	}
	return nil
}

// SetISAStatus changes an agreement's status.
func (s *Store) SetISAStatus(ctx context.Context, tx *sql.Tx, partnershipID, id, status string) error {
	return execOne(ctx, tx, "set isa status", domain.NotFound("sharing agreement", id),
		`UPDATE isa SET status = $3, updated_at = $4 WHERE partnership_id = $1 AND id = $2`, partnershipID, id, status, s.Now())
}

// SetISAEnd changes an agreement's end date (zero for none).
func (s *Store) SetISAEnd(ctx context.Context, tx *sql.Tx, partnershipID, id string, ends time.Time) error {
	var v any
	if !ends.IsZero() {
		v = ends
	}
	return execOne(ctx, tx, "set isa end", domain.NotFound("sharing agreement", id),
		`UPDATE isa SET ends_on = $3, updated_at = $4 WHERE partnership_id = $1 AND id = $2`, partnershipID, id, v, s.Now())
}

// ISAs lists the partnership's agreements with their parties.
func (s *Store) ISAs(ctx context.Context, partnershipID string) ([]domain.ISA, error) {
	list, err := collect(ctx, s.rdb, "list isas", `SELECT id, partnership_id, reference, title, purposes, data_categories, gateways, regime, status,
		starts_on, ends_on, review_on, created_at, updated_at FROM isa WHERE partnership_id = $1 ORDER BY reference`, []any{partnershipID},
		func(r *sql.Rows) (domain.ISA, error) {
			var i domain.ISA
			var ends sql.NullTime
			err := r.Scan(&i.ID, &i.PartnershipID, &i.Reference, &i.Title, &i.Purposes, &i.DataCategories, &i.Gateways, &i.Regime, &i.Status,
				&i.StartsOn, &ends, &i.ReviewOn, &i.CreatedAt, &i.UpdatedAt)
			if ends.Valid {
				i.EndsOn = ends.Time.UTC()
			}
			i.StartsOn, i.ReviewOn = i.StartsOn.UTC(), i.ReviewOn.UTC()
			return i, err
		})
	if err != nil {
		return nil, err
	}
	type party struct{ isa, agency, name string }
	parties, err := collect(ctx, s.rdb, "isa parties", `SELECT CAST(p.isa_id AS text), CAST(p.agency_id AS text), a.name FROM isa_party p
		JOIN agency a ON a.id = p.agency_id WHERE p.partnership_id = $1 ORDER BY a.name`, []any{partnershipID},
		func(r *sql.Rows) (party, error) {
			var p party
			err := r.Scan(&p.isa, &p.agency, &p.name)
			return p, err
		})
	if err != nil {
		return nil, err
	}
	idx := map[string]int{}
	for i, x := range list {
		idx[x.ID] = i
	}
	for _, p := range parties {
		if i, ok := idx[p.isa]; ok {
			list[i].Parties = append(list[i].Parties, p.agency)
			list[i].PartyNames = append(list[i].PartyNames, p.name)
		}
	}
	return list, nil
}

// DisclosureRecord is one disclosure of records out of the service.
type DisclosureRecord struct {
	PartnershipID, ActorID, AgencyID string
	RecordType                       string
	RecordCount                      int
	Purpose, Recipients              string
	ISAID                            string
	Justification                    string
	ApprovedBy                       string
	Channel                          string // "export", "api"
	At                               time.Time
}

// InsertDisclosure records a disclosure.
func (s *Store) InsertDisclosure(ctx context.Context, tx *sql.Tx, d DisclosureRecord) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO disclosure (id, partnership_id, at, actor_id, agency_id, record_type, record_count, purpose, recipients,
		isa_id, justification, approved_by, channel) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		s.NewID(), d.PartnershipID, d.At, d.ActorID, d.AgencyID, d.RecordType, d.RecordCount, d.Purpose, d.Recipients,
		nullIfEmpty(d.ISAID), d.Justification, nullIfEmpty(d.ApprovedBy), d.Channel)
	if err != nil {
		return fmt.Errorf("store: insert disclosure: %w", err)
	}
	return nil
}
