package store

import (
	"context"
	"database/sql"
	"fmt"

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
	now := s.Now()
	rows := make([][]any, 0, len(list))
	for i := range list {
		l := &list[i]
		if l.ID == "" {
			l.ID = s.NewID()
		}
		if l.CreatedAt.IsZero() {
			l.CreatedAt = now
		}
		rows = append(rows, []any{l.ID, partnershipID, string(l.FromKind), l.FromID, string(l.ToKind), l.ToID, string(l.Type), string(l.Role),
			domain.Day(l.ValidFrom), domain.Day(l.ValidTo), l.SourceRef, string(l.Confidence), l.Note, l.CreatedBy, l.CreatedAt})
	}
	if err := dialect.InsertRows(ctx, s.d, tx, "link", linkInsCols, rows); err != nil {
		return fmt.Errorf("store: insert links: %w", err)
	}
	return nil
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
