package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"alliance/internal/domain"
	"alliance/internal/store/dialect"
)

// This file is the SQL of the audit log's hash chains: package audit
// computes hashes, signs and verifies; these functions read and write the
// rows (audit_event, audit_subject, audit_head, audit_checkpoint). The
// writers take the caller's transaction, so an entry commits with the work
// it records or not at all.

// AuditHead is a chain's end as audit_head records it: its last position
// and hash and the signature over them (KeyID names the key).
type AuditHead struct {
	PartnershipID string
	Seq           int64
	Hash          string
	KeyID         string
	Signature     string
	// Created is set by TakeAuditHead when the chain had no head and this
	// transaction began it.
	Created bool
}

// AuditCheckpoint is a signed checkpoint: a chain's hash at position Seq,
// signed with the key KeyID names.
type AuditCheckpoint struct {
	PartnershipID string
	Seq           int64
	Hash          string
	At            time.Time
	KeyID         string
	Signature     string
}

// TakeAuditHead moves partnershipID's chain head on by n positions (0 only
// takes it) and returns it as it was before. The UPDATE comes first: on
// PostgreSQL it locks the row until commit, so every writer of one chain
// queues here and sees the head its predecessor committed; SQLite has one
// writer anyway. A chain without a head gets one at position 0 with hash
// genesis; ON CONFLICT lets two first writers race safely (the loser waits
// for the winner and then takes its row).
func TakeAuditHead(ctx context.Context, tx *sql.Tx, partnershipID string, n int64, genesis string) (AuditHead, error) {
	for attempt := 0; ; attempt++ {
		h := AuditHead{PartnershipID: partnershipID}
		err := tx.QueryRowContext(ctx, `UPDATE audit_head SET seq = seq + $2 WHERE partnership_id = $1 RETURNING seq, hash, key_id, signature`,
			partnershipID, n).Scan(&h.Seq, &h.Hash, &h.KeyID, &h.Signature)
		if err == nil {
			h.Seq -= n
			h.Created = attempt > 0
			return h, nil
		}
		if !errors.Is(err, sql.ErrNoRows) || attempt > 0 {
			return AuditHead{}, fmt.Errorf("store: audit log: take chain head: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO audit_head (partnership_id, seq, hash) VALUES ($1, 0, $2) ON CONFLICT (partnership_id) DO NOTHING`,
			partnershipID, genesis); err != nil {
			return AuditHead{}, fmt.Errorf("store: audit log: start chain: %w", err)
		}
	}
}

// TakeAuditHeads takes every chain's head row (only the unsigned ones when
// unsigned), locking them as TakeAuditHead does, and returns each chain's
// partnership, position and hash.
func TakeAuditHeads(ctx context.Context, tx *sql.Tx, unsigned bool) ([]AuditHead, error) {
	q := `UPDATE audit_head SET seq = seq RETURNING CAST(partnership_id AS text), seq, hash`
	if unsigned {
		q = `UPDATE audit_head SET seq = seq WHERE signature = '' RETURNING CAST(partnership_id AS text), seq, hash`
	}
	return collect(ctx, tx, "take audit heads", q, nil, func(r *sql.Rows) (AuditHead, error) {
		var h AuditHead
		return h, r.Scan(&h.PartnershipID, &h.Seq, &h.Hash)
	})
}

// SetAuditHead records seq and hash as the end of partnershipID's chain
// (whose row TakeAuditHead took), with its signature by keyID.
func SetAuditHead(ctx context.Context, tx *sql.Tx, partnershipID string, seq int64, hash, keyID, signature string) error {
	if _, err := tx.ExecContext(ctx, `UPDATE audit_head SET seq = $2, hash = $3, key_id = $4, signature = $5 WHERE partnership_id = $1`,
		partnershipID, seq, hash, keyID, signature); err != nil {
		return fmt.Errorf("store: audit log: advance chain: %w", err)
	}
	return nil
}

// auditEventCols are audit_event's columns in the order auditEventRow
// gives their values.
var auditEventCols = []string{"id", "partnership_id", "seq", "at", "at_us", "actor_id", "actor_name", "agency_id", "agency_name", "operation", "record_type",
	"record_ids", "record_label", "fields", "justification", "recipients", "isa_id", "request_id", "client_addr", "prev_hash", "hash"}

// auditEventRow is ev's audit_event row: lists joined by spaces, and the
// time also as microseconds since 1970 (at_us), which the hash covers.
func auditEventRow(ev *domain.AuditEvent) []any {
	return []any{ev.ID, ev.PartnershipID, ev.Seq, ev.At, ev.At.UnixMicro(), ev.ActorID, ev.ActorName, ev.AgencyID, ev.AgencyName,
		string(ev.Operation), ev.RecordType, strings.Join(ev.RecordIDs, " "), ev.Label, strings.Join(ev.Fields, " "), ev.Justification,
		ev.Recipients, ev.ISAID, ev.RequestID, ev.ClientAddr, ev.PrevHash, ev.Hash}
}

// InsertAuditEvent writes one entry, already placed in its chain and
// hashed, and indexes the records it names (audit_subject).
func InsertAuditEvent(ctx context.Context, tx *sql.Tx, ev domain.AuditEvent) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO audit_event (id, partnership_id, seq, at, at_us, actor_id, actor_name, agency_id, agency_name, operation,
		record_type, record_ids, record_label, fields, justification, recipients, isa_id, request_id, client_addr, prev_hash, hash)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)`, auditEventRow(&ev)...)
	if err != nil {
		return fmt.Errorf("store: audit log: append: %w", err)
	}
	for _, id := range ev.RecordIDs {
		if _, err := tx.ExecContext(ctx, `INSERT INTO audit_subject (partnership_id, record_id, seq) VALUES ($1, $2, $3)`, ev.PartnershipID, id, ev.Seq); err != nil {
			return fmt.Errorf("store: audit log: index subject: %w", err)
		}
	}
	return nil
}

// InsertAuditCheckpoint writes a signed checkpoint.
func InsertAuditCheckpoint(ctx context.Context, tx *sql.Tx, c AuditCheckpoint) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO audit_checkpoint (partnership_id, seq, hash, at, key_id, signature) VALUES ($1, $2, $3, $4, $5, $6)`,
		c.PartnershipID, c.Seq, c.Hash, c.At, c.KeyID, c.Signature)
	if err != nil {
		return fmt.Errorf("store: audit log: checkpoint: %w", err)
	}
	return nil
}

// AuditCheckpointExists reports whether partnershipID's chain has a
// checkpoint at position seq.
func AuditCheckpointExists(ctx context.Context, tx *sql.Tx, partnershipID string, seq int64) (bool, error) {
	var exists bool
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM audit_checkpoint WHERE partnership_id = $1 AND seq = $2)`,
		partnershipID, seq).Scan(&exists); err != nil {
		return false, fmt.Errorf("store: audit log: checkpoints: %w", err)
	}
	return exists, nil
}

// InsertAuditBatch writes many entries of one chain, already placed and
// hashed, with their subjects and the checkpoints among them, in bulk
// (dialect.InsertRows: a prepared INSERT re-run on SQLite, multi-row
// INSERTs on PostgreSQL).
func InsertAuditBatch(ctx context.Context, d dialect.Dialect, tx *sql.Tx, evs []domain.AuditEvent, checkpoints []AuditCheckpoint) error {
	return insertAuditRows(evs, checkpoints, func(table string, cols []string, rows [][]any) error {
		return dialect.InsertRows(ctx, d, tx, table, cols, rows)
	})
}

// InsertAuditEvents writes the entries a transaction appended, already
// placed and hashed, with their subjects and checkpoints, in a few
// multi-row INSERTs that run on either engine: the audit log writes a
// transaction's entries this way just before it commits, so a group
// transaction carrying many reads' consultations makes three statements,
// not three per entry.
func InsertAuditEvents(ctx context.Context, tx *sql.Tx, evs []domain.AuditEvent, checkpoints []AuditCheckpoint) error {
	return insertAuditRows(evs, checkpoints, func(table string, cols []string, rows [][]any) error {
		return dialect.InsertRowsAnywhere(ctx, tx, table, cols, rows)
	})
}

// insertAuditRows writes entries, their subjects and checkpoints with
// insert.
func insertAuditRows(evs []domain.AuditEvent, checkpoints []AuditCheckpoint, insert func(table string, cols []string, rows [][]any) error) error {
	rows := make([][]any, 0, len(evs))
	var subjects [][]any
	for i := range evs {
		e := &evs[i]
		rows = append(rows, auditEventRow(e))
		for _, id := range e.RecordIDs {
			subjects = append(subjects, []any{e.PartnershipID, id, e.Seq})
		}
	}
	cps := make([][]any, 0, len(checkpoints))
	for _, c := range checkpoints {
		cps = append(cps, []any{c.PartnershipID, c.Seq, c.Hash, c.At, c.KeyID, c.Signature})
	}
	if err := insert("audit_event", auditEventCols, rows); err != nil {
		return fmt.Errorf("store: audit log: bulk append: %w", err)
	}
	if err := insert("audit_subject", []string{"partnership_id", "record_id", "seq"}, subjects); err != nil {
		return fmt.Errorf("store: audit log: bulk index: %w", err)
	}
	if err := insert("audit_checkpoint", []string{"partnership_id", "seq", "hash", "at", "key_id", "signature"}, cps); err != nil {
		return fmt.Errorf("store: audit log: bulk checkpoints: %w", err)
	}
	return nil
}

// AuditCheckpoints returns every checkpoint, by partnership and position.
func AuditCheckpoints(ctx context.Context, q Queryer) ([]AuditCheckpoint, error) {
	return collect(ctx, q, "read audit checkpoints", `SELECT CAST(partnership_id AS text), seq, hash, key_id, signature FROM audit_checkpoint
		ORDER BY partnership_id, seq`, nil, func(r *sql.Rows) (AuditCheckpoint, error) {
		var c AuditCheckpoint
		return c, r.Scan(&c.PartnershipID, &c.Seq, &c.Hash, &c.KeyID, &c.Signature)
	})
}

// AuditHeads returns every chain's head.
func AuditHeads(ctx context.Context, q Queryer) ([]AuditHead, error) {
	return collect(ctx, q, "read audit heads", `SELECT CAST(partnership_id AS text), seq, hash, key_id, signature FROM audit_head`, nil,
		func(r *sql.Rows) (AuditHead, error) {
			var h AuditHead
			return h, r.Scan(&h.PartnershipID, &h.Seq, &h.Hash, &h.KeyID, &h.Signature)
		})
}

// PartnershipIDs returns the ID of every partnership, in order: every
// audit chain belongs to one (a foreign key says so).
func PartnershipIDs(ctx context.Context, q Queryer) ([]string, error) {
	return collect(ctx, q, "read audit partnerships", `SELECT CAST(id AS text) FROM partnership ORDER BY id`, nil,
		func(r *sql.Rows) (string, error) {
			var id string
			return id, r.Scan(&id)
		})
}

// AuditChainCheckpoints returns up to limit checkpoints of partnershipID's
// chain after position after, in order: Verify reads them a page at a time
// beside the chain's entries, so it never holds a whole log's checkpoints.
func AuditChainCheckpoints(ctx context.Context, q Queryer, partnershipID string, after int64, limit int) ([]AuditCheckpoint, error) {
	return collect(ctx, q, "read audit checkpoints", `SELECT CAST(partnership_id AS text), seq, hash, key_id, signature FROM audit_checkpoint
		WHERE partnership_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`, []any{partnershipID, after, limit}, func(r *sql.Rows) (AuditCheckpoint, error) {
		var c AuditCheckpoint
		return c, r.Scan(&c.PartnershipID, &c.Seq, &c.Hash, &c.KeyID, &c.Signature)
	})
}

// AuditChainRow is one entry as ScanAuditChain reads it: the position, the
// time in microseconds, and every text column the hash covers as raw bytes,
// in the hash's order. The bytes are valid only until the callback returns.
type AuditChainRow struct {
	Seq, AtMicros                                                                     int64
	ActorID, ActorName, AgencyID, AgencyName, Operation, RecordType, RecordIDs, Label []byte
	Fields, Justification, Recipients, ISAID, RequestID, ClientAddr, PrevHash, Hash   []byte
}

// auditChainText lists the text columns the hash covers, in its order,
// before the entry's own hash.
var auditChainText = [15]string{"actor_id", "actor_name", "agency_id", "agency_name", "operation", "record_type", "record_ids",
	"record_label", "fields", "justification", "recipients", "isa_id", "request_id", "client_addr", "prev_hash"}

// auditChainQuery reads one chain in order of position: seq and at_us in
// decimal, then the fifteen hashed text columns and the hash. The casts
// are renamed: PostgreSQL would otherwise take ORDER BY seq to mean the
// text column, and sort 10 before 9. With joined (for SQLite) the text
// columns come as two: their byte lengths (comma-separated) and the
// columns run together, which the walk cuts apart again
// (AuditChainRow.split). The SQLite driver's cost is mostly per column (a
// mutex and a string for each), so five columns read for a quarter less
// CPU than eighteen; PostgreSQL, whose columns pgx hands over as they lie,
// would only spend its own CPU joining them (the read took 1.7 times as
// long), so it reads them apart.
func auditChainQuery(joined bool) string {
	if !joined {
		return `SELECT CAST(seq AS text) AS seq_text, CAST(at_us AS text) AS at_us_text, ` + strings.Join(auditChainText[:], `, `) +
			`, hash FROM audit_event WHERE partnership_id = $1 ORDER BY seq`
	}
	lens := make([]string, len(auditChainText))
	for i, c := range auditChainText {
		lens[i] = "octet_length(" + c + ")"
	}
	return `SELECT CAST(seq AS text) AS seq_text, CAST(at_us AS text) AS at_us_text, ` + strings.Join(lens, ` || ',' || `) + `, ` +
		strings.Join(auditChainText[:], ` || `) + `, hash FROM audit_event WHERE partnership_id = $1 ORDER BY seq`
}

// fields are the row's hashed text columns in the order of
// auditChainText.
func (r *AuditChainRow) fields() [15]*[]byte {
	return [15]*[]byte{&r.ActorID, &r.ActorName, &r.AgencyID, &r.AgencyName, &r.Operation, &r.RecordType, &r.RecordIDs, &r.Label,
		&r.Fields, &r.Justification, &r.Recipients, &r.ISAID, &r.RequestID, &r.ClientAddr, &r.PrevHash}
}

// split sets the row's text columns to their slices of body, cut by lens
// (their byte lengths in decimal, comma-separated), without copying.
func (r *AuditChainRow) split(dst *[15]*[]byte, lens, body []byte) error {
	at := 0
	for i, d := range dst {
		j := bytes.IndexByte(lens, ',')
		if i == len(dst)-1 {
			j = len(lens)
		}
		if j < 0 {
			return fmt.Errorf("entry %d: %d column lengths, want %d", r.Seq, i+1, len(dst))
		}
		n, ok := parseDecimal(lens[:j])
		if !ok || at+int(n) > len(body) {
			return fmt.Errorf("entry %d: bad column length %q", r.Seq, lens[:j])
		}
		*d = body[at : at+int(n) : at+int(n)]
		at += int(n)
		lens = lens[min(j+1, len(lens)):]
	}
	if at != len(body) {
		return fmt.Errorf("entry %d: columns of %d bytes in %d", r.Seq, at, len(body))
	}
	return nil
}

// ScanAuditChain calls fn for each entry of partnershipID's chain in order
// of position, one row at a time and into the same AuditChainRow, so
// walking a chain of millions costs no allocation per entry and memory
// that does not grow with the chain: on PostgreSQL the row's bytes are
// pgx's own read buffer (dialect.StreamRows); on SQLite the connection's
// memory map is switched off while it reads, so the file's pages pass
// through SQLite's bounded page cache instead of staying mapped into the
// process (a 1 GB log would otherwise leave 1 GB resident). It stops at
// fn's first error and returns it.
func ScanAuditChain(ctx context.Context, db *sql.DB, partnershipID string, fn func(*AuditChainRow) error) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("store: audit log: read chain: %w", err)
	}
	defer conn.Close()
	var r AuditChainRow
	dst := r.fields()
	pg, err := dialect.StreamRows(ctx, conn, auditChainQuery(false), []any{partnershipID}, func(cols [][]byte) error {
		if len(cols) != 18 {
			return fmt.Errorf("got %d columns, want 18", len(cols))
		}
		var ok1, ok2 bool
		r.Seq, ok1 = parseDecimal(cols[0])
		r.AtMicros, ok2 = parseDecimal(cols[1])
		if !ok1 || !ok2 {
			return fmt.Errorf("entry %q at %q: not a number", cols[0], cols[1])
		}
		for i, d := range dst {
			*d = cols[2+i]
		}
		r.Hash = cols[17]
		return fn(&r)
	})
	if pg || err != nil {
		if err != nil {
			return fmt.Errorf("store: audit log: read chain: %w", err)
		}
		return nil
	}
	return scanChainSQLite(ctx, conn, partnershipID, &r, fn)
}

// scanChainSQLite is ScanAuditChain on SQLite: through database/sql, the
// text columns joined (auditChainQuery), each column scanned as raw bytes
// into buffers reused for every row. For the
// walk the connection's memory map is off and its page cache small (2 MB:
// a walk in order never returns to a page), and both are set back after,
// so the memory a walk holds does not grow with the file.
func scanChainSQLite(ctx context.Context, conn *sql.Conn, partnershipID string, r *AuditChainRow, fn func(*AuditChainRow) error) (err error) {
	if _, err := conn.ExecContext(ctx, `PRAGMA mmap_size = 0`); err != nil {
		return fmt.Errorf("store: audit log: read chain: %w", err)
	}
	if _, err := conn.ExecContext(ctx, `PRAGMA cache_size = -2048`); err != nil {
		return fmt.Errorf("store: audit log: read chain: %w", err)
	}
	defer func() {
		ctx := context.WithoutCancel(ctx)
		_, err1 := conn.ExecContext(ctx, fmt.Sprintf(`PRAGMA mmap_size = %d`, sqliteReadMmap))
		_, err2 := conn.ExecContext(ctx, fmt.Sprintf(`PRAGMA cache_size = %d`, sqliteCacheSize))
		if rerr := errors.Join(err1, err2); rerr != nil && err == nil {
			err = fmt.Errorf("store: audit log: restore the reader's memory map and cache: %w", rerr)
		}
	}()
	rows, err := conn.QueryContext(ctx, auditChainQuery(true), partnershipID)
	if err != nil {
		return fmt.Errorf("store: audit log: read chain: %w", err)
	}
	defer rows.Close()
	var seq, at, lens, body, hash sql.RawBytes
	dst := r.fields()
	for rows.Next() {
		if err := rows.Scan(&seq, &at, &lens, &body, &hash); err != nil {
			return fmt.Errorf("store: audit log: read entry: %w", err)
		}
		var ok1, ok2 bool
		r.Seq, ok1 = parseDecimal(seq)
		r.AtMicros, ok2 = parseDecimal(at)
		if !ok1 || !ok2 {
			return fmt.Errorf("store: audit log: entry %q at %q: not a number", seq, at)
		}
		if err := r.split(&dst, lens, body); err != nil {
			return fmt.Errorf("store: audit log: %w", err)
		}
		r.Hash = hash
		if err := fn(r); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: audit log: read chain: %w", err)
	}
	return nil
}

// parseDecimal parses a non-negative decimal integer without allocating.
func parseDecimal(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}
