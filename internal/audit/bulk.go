package audit

import (
	"context"
	"database/sql"
	"time"

	"alliance/internal/store"
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
	seq, prev := h.Seq, h.Hash
	var checkpoints []store.AuditCheckpoint
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
		if e.Seq%CheckpointEvery == 0 {
			checkpoints = append(checkpoints, l.checkpoint(partnershipID, e.Seq, e.Hash, e.At))
		}
	}
	if err := store.InsertAuditBatch(ctx, d, tx, evs, checkpoints); err != nil {
		return err
	}
	if pending != nil {
		pending.seq, pending.hash, pending.moved = seq, prev, true
		return nil
	}
	return l.setHead(ctx, tx, partnershipID, seq, prev)
}
