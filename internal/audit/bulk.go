package audit

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"alliance/internal/store/dialect"
)

// AppendBatch appends many entries to one partnership's chain in tx, for
// bulk loads (imports, the demo, the benchmark generator): it takes the
// chain's head once (locking it, as Append does, so concurrent Appends queue
// behind the batch instead of taking the same positions), computes every
// position and hash in memory, and writes the rows in bulk, with the same
// result as calling Append for each. Like Append it refuses (ErrHead) to
// extend a head that is not signed by this log's key.
func (l *Log) AppendBatch(ctx context.Context, d dialect.Dialect, tx *sql.Tx, partnershipID string, evs []Event) error {
	if len(evs) == 0 {
		return nil
	}
	h, pending, err := l.extendHead(ctx, tx, partnershipID, int64(len(evs)))
	if err != nil {
		return err
	}
	seq, prev := h.seq, h.hash
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
	if pending != nil {
		pending.seq, pending.hash = seq, prev
		return nil
	}
	return l.setHead(ctx, tx, partnershipID, seq, prev)
}
