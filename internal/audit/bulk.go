package audit

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"alliance/internal/store/dialect"
)

// AppendBatch appends many entries to one partnership's chain in tx, for
// bulk loads (the benchmark generator, imports of historic logs): it reads
// the chain's head once, computes every position and hash in memory, and
// writes the rows in bulk, with the same result as calling Append for each.
func (l *Log) AppendBatch(ctx context.Context, d dialect.Dialect, tx *sql.Tx, partnershipID string, evs []Event) error {
	if len(evs) == 0 {
		return nil
	}
	var seq int64
	var prev string
	err := tx.QueryRowContext(ctx, `SELECT seq, hash FROM audit_head WHERE partnership_id = $1`, partnershipID).Scan(&seq, &prev)
	if errors.Is(err, sql.ErrNoRows) {
		seq, prev = 0, genesis
		if _, err = tx.ExecContext(ctx, `INSERT INTO audit_head (partnership_id, seq, hash) VALUES ($1, 0, $2)`, partnershipID, genesis); err != nil {
			return fmt.Errorf("audit: start chain: %w", err)
		}
	} else if err != nil {
		return fmt.Errorf("audit: read head: %w", err)
	}
	rows := make([][]any, 0, len(evs))
	var subjects, checkpoints [][]any
	for i := range evs {
		e := &evs[i]
		seq++
		e.PartnershipID, e.Seq, e.PrevHash = partnershipID, seq, prev
		e.At = e.At.UTC().Truncate(time.Microsecond)
		if e.ID == "" {
			e.ID = l.newID()
		}
		e.Hash = ComputeHash(*e)
		prev = e.Hash
		rows = append(rows, []any{e.ID, e.PartnershipID, e.Seq, e.At, e.At.UnixMicro(), e.ActorID, e.ActorName, e.AgencyID, e.AgencyName,
			string(e.Operation), e.RecordType, strings.Join(e.RecordIDs, " "), e.Label, strings.Join(e.Fields, " "), e.Justification,
			e.Recipients, e.ISAID, e.RequestID, e.ClientAddr, e.PrevHash, e.Hash})
		for _, id := range e.RecordIDs {
			subjects = append(subjects, []any{partnershipID, id, e.Seq})
		}
		if e.Seq%CheckpointEvery == 0 {
			sig := ed25519.Sign(l.key, checkpointMessage(partnershipID, e.Seq, e.Hash))
			checkpoints = append(checkpoints, []any{partnershipID, e.Seq, e.Hash, e.At, l.keyID, fmt.Sprintf("%x", sig)})
		}
	}
	cols := []string{"id", "partnership_id", "seq", "at", "at_us", "actor_id", "actor_name", "agency_id", "agency_name", "operation", "record_type",
		"record_ids", "record_label", "fields", "justification", "recipients", "isa_id", "request_id", "client_addr", "prev_hash", "hash"}
	if err := dialect.InsertRows(ctx, d, tx, "audit_event", cols, rows); err != nil {
		return fmt.Errorf("audit: bulk append: %w", err)
	}
	if err := dialect.InsertRows(ctx, d, tx, "audit_subject", []string{"partnership_id", "record_id", "seq"}, subjects); err != nil {
		return fmt.Errorf("audit: bulk index: %w", err)
	}
	if err := dialect.InsertRows(ctx, d, tx, "audit_checkpoint", []string{"partnership_id", "seq", "hash", "at", "key_id", "signature"}, checkpoints); err != nil {
		return fmt.Errorf("audit: bulk checkpoints: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE audit_head SET seq = $2, hash = $3 WHERE partnership_id = $1`, partnershipID, seq, prev); err != nil {
		return fmt.Errorf("audit: advance head: %w", err)
	}
	return nil
}
