package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"alliance/internal/domain"
)

// AuditFilter narrows an auditor's search of the log. Empty fields match
// everything.
type AuditFilter struct {
	ActorID, AgencyID, RecordID, Operation string
	From, To                               time.Time // To is exclusive
	Limit, Offset                          int
}

// SearchAudit returns the partnership's log entries matching f, newest
// first. It reads at most f.Limit entries (and one more, so the caller can
// tell whether a next page exists) without counting all matches, so the
// first page of a search over millions of entries comes from an index.
func (s *Store) SearchAudit(ctx context.Context, partnershipID string, f AuditFilter) ([]domain.AuditEvent, error) {
	var args Args
	conds := []string{"e.partnership_id = " + args.Add(partnershipID)}
	from := "audit_event e"
	if f.RecordID != "" {
		from = "audit_subject s JOIN audit_event e ON e.partnership_id = s.partnership_id AND e.seq = s.seq"
		conds = append(conds, "s.partnership_id = "+args.Add(partnershipID), "s.record_id = "+args.Add(f.RecordID))
	}
	if f.ActorID != "" {
		conds = append(conds, "e.actor_id = "+args.Add(f.ActorID))
	}
	if f.AgencyID != "" {
		conds = append(conds, "e.agency_id = "+args.Add(f.AgencyID))
	}
	if f.Operation != "" {
		conds = append(conds, "e.operation = "+args.Add(f.Operation))
	}
	if !f.From.IsZero() {
		conds = append(conds, "e.at >= "+args.Add(f.From.UTC()))
	}
	if !f.To.IsZero() {
		conds = append(conds, "e.at < "+args.Add(f.To.UTC()))
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	limit = min(limit, 100000)
	q := `SELECT e.id, CAST(e.partnership_id AS text), e.seq, e.at, e.actor_id, e.actor_name, e.agency_id, e.agency_name, e.operation,
		e.record_type, e.record_ids, e.record_label, e.fields, e.justification, e.recipients, e.isa_id, e.request_id, e.client_addr, e.prev_hash, e.hash
		FROM ` + from + ` WHERE ` + strings.Join(conds, " AND ") + ` ORDER BY e.at DESC, e.seq DESC LIMIT ` + args.Add(limit+1) + ` OFFSET ` + args.Add(max(f.Offset, 0))
	return collect(ctx, s.rdb, "search audit log", q, args.Values(), func(r *sql.Rows) (domain.AuditEvent, error) {
		var e domain.AuditEvent
		var op, ids, fields string
		err := r.Scan(&e.ID, &e.PartnershipID, &e.Seq, &e.At, &e.ActorID, &e.ActorName, &e.AgencyID, &e.AgencyName, &op, &e.RecordType,
			&ids, &e.Label, &fields, &e.Justification, &e.Recipients, &e.ISAID, &e.RequestID, &e.ClientAddr, &e.PrevHash, &e.Hash)
		e.Operation, e.RecordIDs, e.Fields, e.At = domain.AuditOperation(op), strings.Fields(ids), strings.Fields(fields), e.At.UTC()
		return e, err
	})
}

// AuditEntries counts the partnership's log entries.
func (s *Store) AuditEntries(ctx context.Context, partnershipID string) (int64, error) {
	var n sql.NullInt64
	err := s.rdb.QueryRowContext(ctx, `SELECT seq FROM audit_head WHERE partnership_id = $1`, partnershipID).Scan(&n)
	if err != nil && err != sql.ErrNoRows {
		return 0, fmt.Errorf("store: audit size: %w", err)
	}
	return n.Int64, nil
}

// AuditStarted reports whether any audit chain has been begun. A database
// whose schema predates the audit log (a new one) has none.
func (s *Store) AuditStarted(ctx context.Context) (bool, error) {
	v, err := s.SchemaVersion(ctx)
	if err != nil {
		return false, err
	}
	if v < 3 { // 00003_audit creates audit_head
		return false, nil
	}
	var started bool
	if err := s.rdb.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM audit_head)`).Scan(&started); err != nil {
		return false, fmt.Errorf("store: audit log begun: %w", err)
	}
	return started, nil
}

// AuditKeyIDs returns the IDs of the keys that signed the audit chains'
// heads, so a process can check, before it writes, that it holds the key the
// log was written with.
func (s *Store) AuditKeyIDs(ctx context.Context) ([]string, error) {
	return collect(ctx, s.rdb, "audit key ids", `SELECT key_id FROM audit_head WHERE key_id <> ''
		UNION SELECT key_id FROM audit_checkpoint WHERE key_id <> '' ORDER BY 1`, nil,
		func(r *sql.Rows) (string, error) {
			var id string
			return id, r.Scan(&id)
		})
}
