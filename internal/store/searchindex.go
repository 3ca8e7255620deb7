package store

import (
	"context"
	"database/sql"
	"fmt"

	"alliance/internal/authz"
	"alliance/internal/domain"
	"alliance/internal/store/dialect"
)

// An entity is searchable once its search entries are written: its search
// keys (search_key) and its full-text documents (search_doc: the record's
// reference, name and identifier, and each alias or nickname). Ordinary
// writes (InsertEntity, UpdateEntity, InsertEntities) and the bulk writer
// (Bulk, for imports) write them in the same transaction as the entity.
// Bulk imports of older versions queued each new entity in search_pending
// instead (decision 10, replaced by decision 23); BuildSearch writes the
// entries of any still queued. An entity is queued exactly while its
// entries are missing.

var docCols = []string{"partnership_id", "record_kind", "record_id", "source", "body"}

// entitySearchRows returns the search_key rows (sorted by key) and, with
// withDocs, the search_doc rows of list, computing the keys on every
// processor.
func entitySearchRows(list []domain.Entity, withDocs bool) (keys, docs [][]any) {
	keysOf := parallelKeys(list)
	n := 0
	for _, ks := range keysOf {
		n += len(ks)
	}
	keys = make([][]any, 0, n)
	if withDocs {
		docs = make([][]any, 0, len(list)*2)
	}
	for i := range list {
		e := &list[i]
		pid := e.Marking.PartnershipID
		for _, k := range keysOf[i] {
			keys = append(keys, []any{pid, k, string(domain.NodeEntity), e.ID})
		}
		if !withDocs {
			continue
		}
		docs = append(docs, []any{pid, string(domain.NodeEntity), e.ID, "record", e.Reference + " " + e.Name + " " + e.Identifier})
		for _, a := range appendUniqueStr(nil, e.Aliases...) {
			docs = append(docs, []any{pid, string(domain.NodeEntity), e.ID, "alias:" + a, a})
		}
		for _, a := range appendUniqueStr(nil, e.Nicknames...) {
			docs = append(docs, []any{pid, string(domain.NodeEntity), e.ID, "nickname:" + a, a})
		}
	}
	sortKeys(keys)
	return keys, docs
}

// writeEntitySearch writes the search entries of list inside tx, first
// removing any the entities already have when replace is set.
func (s *Store) writeEntitySearch(ctx context.Context, tx *sql.Tx, list []domain.Entity, replace bool) error {
	if replace {
		for _, e := range list {
			for _, table := range []string{"search_key", "search_doc"} {
				if _, err := tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE record_id = $1`, e.ID); err != nil {
					return fmt.Errorf("store: clear %s: %w", table, err)
				}
			}
		}
	}
	keys, docs := entitySearchRows(list, true)
	if err := dialect.InsertRows(ctx, s.d, tx, "search_key", keyCols, keys); err != nil {
		return fmt.Errorf("store: search keys: %w", err)
	}
	if err := dialect.InsertRows(ctx, s.d, tx, "search_doc", docCols, docs); err != nil {
		return fmt.Errorf("store: search documents: %w", err)
	}
	return nil
}

// claimPending takes entity id out of the search queue inside tx before
// an ordinary write rewrites its entries. On PostgreSQL the DELETE waits
// for a builder that holds the row to commit, so the entries the write
// then replaces are the builder's, never a stale copy written after it.
func (s *Store) claimPending(ctx context.Context, tx *sql.Tx, id string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM search_pending WHERE entity_id = $1`, id); err != nil {
		return fmt.Errorf("store: claim search queue: %w", err)
	}
	return nil
}

// BuildSearch writes the search entries of up to limit queued entities,
// oldest first, and takes them off the queue, all in one transaction. It
// returns how many it took (0 when the queue is empty). Several processes
// may run it at once: on PostgreSQL each takes rows the others have not
// locked; on SQLite writers take turns.
func (s *Store) BuildSearch(ctx context.Context, limit int) (int, error) {
	n := 0
	err := s.BulkTx(ctx, "", func(ctx context.Context, tx *sql.Tx, b *Bulk) error {
		ids, err := collect(ctx, tx, "search queue", `SELECT CAST(entity_id AS text) FROM search_pending ORDER BY queued_at, entity_id LIMIT $1`+s.d.SkipLocked(),
			[]any{limit}, func(r *sql.Rows) (string, error) { var id string; err := r.Scan(&id); return id, err })
		if err != nil || len(ids) == 0 {
			return err
		}
		list, err := s.searchSubjects(ctx, tx, ids)
		if err != nil {
			return err
		}
		keys, docs := entitySearchRows(list, true)
		if err := b.write(ctx, "search_key", keyCols, keys); err != nil {
			return err
		}
		if err := b.write(ctx, "search_doc", docCols, docs); err != nil {
			return err
		}
		for start := 0; start < len(ids); start += 500 {
			var args Args
			in := idIn("entity_id", ids[start:min(start+500, len(ids))], &args)
			if _, err := tx.ExecContext(ctx, `DELETE FROM search_pending WHERE `+in, args.Values()...); err != nil {
				return fmt.Errorf("store: dequeue search: %w", err)
			}
		}
		n = len(ids)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("store: build search: %w", err)
	}
	return n, nil
}

// searchSubjects reads what the search entries of entities ids are made
// of: kind, reference, name, identifier, date of birth, aliases and
// nicknames. Entities that no longer exist are left out.
func (s *Store) searchSubjects(ctx context.Context, q Queryer, ids []string) ([]domain.Entity, error) {
	var out []domain.Entity
	at := map[string]int{}
	for start := 0; start < len(ids); start += 500 {
		chunk := ids[start:min(start+500, len(ids))]
		var args Args
		in := idIn("id", chunk, &args)
		list, err := collect(ctx, q, "search subjects", `SELECT CAST(id AS text), CAST(partnership_id AS text), kind, reference, name, identifier, dob
			FROM entity WHERE `+in, args.Values(), func(r *sql.Rows) (domain.Entity, error) {
			var e domain.Entity
			var kind string
			var dob sql.NullString
			if err := r.Scan(&e.ID, &e.Marking.PartnershipID, &kind, &e.Reference, &e.Name, &e.Identifier, &dob); err != nil {
				return e, err
			}
			e.Kind, e.DOB = domain.EntityKind(kind), day(dob)
			return e, nil
		})
		if err != nil {
			return nil, err
		}
		for _, e := range list {
			at[e.ID] = len(out)
			out = append(out, e)
		}
		args = Args{}
		in = idIn("entity_id", chunk, &args)
		type alias struct{ id, kind, value string }
		aliases, err := collect(ctx, q, "search aliases", `SELECT CAST(entity_id AS text), kind, value FROM entity_alias WHERE `+in+` ORDER BY entity_id, kind, value`,
			args.Values(), func(r *sql.Rows) (alias, error) { var a alias; err := r.Scan(&a.id, &a.kind, &a.value); return a, err })
		if err != nil {
			return nil, err
		}
		for _, a := range aliases {
			i, ok := at[a.id]
			if !ok {
				continue
			}
			if a.kind == "nickname" {
				out[i].Nicknames = append(out[i].Nicknames, a.value)
			} else {
				out[i].Aliases = append(out[i].Aliases, a.value)
			}
		}
	}
	return out, nil
}

// PendingSearch counts the entities actor may see under policy that are
// still waiting for their search entries, so that a search can say its
// answer may be incomplete without revealing records the actor may not see.
func (s *Store) PendingSearch(ctx context.Context, policy authz.Policy, actor domain.Actor) (int, error) {
	var args Args
	pid := args.Add(actor.PartnershipID)
	vis := predicate(policy, actor, authz.Search, domain.KindEntity, "e", &args)
	var n int
	err := s.rdb.QueryRowContext(ctx, `SELECT count(*) FROM search_pending p JOIN entity e ON e.id = p.entity_id
		WHERE p.partnership_id = `+pid+` AND `+vis, args.Values()...).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: count search queue: %w", err)
	}
	return n, nil
}

// SearchQueueLength is how many entities, in all partnerships, wait for
// their search entries: an operator's figure, for the metrics endpoint and
// the CLI.
func (s *Store) SearchQueueLength(ctx context.Context) (int, error) {
	var n int
	if err := s.rdb.QueryRowContext(ctx, `SELECT count(*) FROM search_pending`).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count search queue: %w", err)
	}
	return n, nil
}
