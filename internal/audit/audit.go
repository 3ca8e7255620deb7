// Package audit is the DPA 2018 s.62 log: who collected, altered, consulted,
// disclosed, combined or erased which record, when, from which agency and
// why. Entries are appended in the same transaction as the work they record,
// so there is no change without its entry and no entry without its change.
// Each partnership's entries form a hash chain (each entry carries the hash
// of the one before), with Ed25519-signed checkpoints every so often, so
// Verify finds any entry that was changed, removed or inserted afterwards.
// Entries name records and fields, never their protected values.
package audit

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"alliance/internal/domain"
	"alliance/internal/observe"
)

// Operation is a kind of processing DPA 2018 s.62(1) requires logging.
type Operation string

// Operations.
const (
	Collection   Operation = "collection"
	Alteration   Operation = "alteration"
	Consultation Operation = "consultation"
	Disclosure   Operation = "disclosure"
	Combination  Operation = "combination"
	Erasure      Operation = "erasure"
)

// Operations lists them in display order.
var Operations = []Operation{Collection, Alteration, Consultation, Disclosure, Combination, Erasure}

// Entry is what a service says about one piece of work.
type Entry struct {
	Operation  Operation
	RecordType string   // e.g. "info_report", "user", "audit_log"
	RecordIDs  []string // the records concerned
	// Label identifies the record to a reader of the log (a reference such
	// as IR-2026-000042), never its protected content.
	Label string
	// Fields names what changed, for alterations; never the values.
	Fields []string
	// Justification is the purpose given (consultations, disclosures).
	Justification string
	// Recipients of a disclosure.
	Recipients string
	// ISAID is the sharing agreement a disclosure relies on.
	ISAID string
}

// Event is a stored entry.
type Event struct {
	ID            string
	PartnershipID string
	Seq           int64
	At            time.Time
	ActorID       string
	ActorName     string
	AgencyID      string
	AgencyName    string
	Operation     Operation
	RecordType    string
	RecordIDs     []string
	Label         string
	Fields        []string
	Justification string
	Recipients    string
	ISAID         string
	RequestID     string
	ClientAddr    string
	PrevHash      string
	Hash          string
}

// genesis is the previous hash of each chain's first entry.
const genesis = "0000000000000000000000000000000000000000000000000000000000000000"

// CheckpointEvery is how many entries a chain gets between signed
// checkpoints.
const CheckpointEvery = 1000

// ComputeHash returns the hex SHA-256 of the entry's canonical encoding:
// every field in a fixed order, each length-prefixed, the previous hash last.
// Times count microseconds since 1970 UTC, the precision both engines keep;
// they are stored beside the timestamp (at_us) so verifying needs no date
// parsing.
func ComputeHash(e Event) string {
	return hex.EncodeToString(hashParts(nil,
		[]byte(e.PartnershipID), []byte(strconv.FormatInt(e.Seq, 10)), []byte(strconv.FormatInt(e.At.UnixMicro(), 10)),
		[]byte(e.ActorID), []byte(e.ActorName), []byte(e.AgencyID), []byte(e.AgencyName), []byte(e.Operation), []byte(e.RecordType),
		[]byte(strings.Join(e.RecordIDs, " ")), []byte(e.Label), []byte(strings.Join(e.Fields, " ")), []byte(e.Justification),
		[]byte(e.Recipients), []byte(e.ISAID), []byte(e.RequestID), []byte(e.ClientAddr), []byte(e.PrevHash)))
}

// hashParts is the canonical encoding's SHA-256 (appended to dst): a version
// tag, then each part length-prefixed, in the order ComputeHash lists them.
func hashParts(dst []byte, parts ...[]byte) []byte {
	h := sha256.New()
	var n [binary.MaxVarintLen64]byte
	put := func(b []byte) {
		h.Write(n[:binary.PutUvarint(n[:], uint64(len(b)))])
		h.Write(b)
	}
	put([]byte("alliance-audit-v1"))
	for _, p := range parts {
		put(p)
	}
	return h.Sum(dst)
}

// Meta is where a request came from.
type Meta struct{ RequestID, ClientAddr string }

// Log appends entries. It is safe for concurrent use.
type Log struct {
	now   func() time.Time
	newID func() string
	key   ed25519.PrivateKey
	keyID string
}

// NewLog returns a Log signing checkpoints with key.
func NewLog(now func() time.Time, newID func() string, key ed25519.PrivateKey) *Log {
	return &Log{now: now, newID: newID, key: key, keyID: KeyID(key.Public().(ed25519.PublicKey))}
}

// KeyID names a public key: the first 16 hex digits of its SHA-256.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:8])
}

func checkpointMessage(pid string, seq int64, hash string) []byte {
	return []byte("alliance-audit-checkpoint-v1|" + pid + "|" + strconv.FormatInt(seq, 10) + "|" + hash)
}

// Append writes e for actor in tx, advancing the partnership's chain. It
// must run in the same transaction as the work it records.
func (l *Log) Append(ctx context.Context, tx *sql.Tx, a domain.Actor, m Meta, e Entry) (Event, error) {
	if a.PartnershipID == "" {
		return Event{}, errors.New("audit: actor has no partnership")
	}
	ev := Event{ID: l.newID(), PartnershipID: a.PartnershipID, At: l.now().UTC().Truncate(time.Microsecond),
		ActorID: a.UserID, ActorName: a.DisplayName, AgencyID: a.AgencyID, AgencyName: a.AgencyName,
		Operation: e.Operation, RecordType: e.RecordType, RecordIDs: e.RecordIDs, Label: e.Label, Fields: e.Fields,
		Justification: e.Justification, Recipients: e.Recipients, ISAID: e.ISAID, RequestID: m.RequestID, ClientAddr: m.ClientAddr}
	// Advance the head first: on PostgreSQL the UPDATE locks the row until
	// commit, so concurrent writers of one chain queue here; SQLite has one
	// writer anyway. RETURNING gives the new position and the hash before it.
	err := tx.QueryRowContext(ctx, `UPDATE audit_head SET seq = seq + 1 WHERE partnership_id = $1 RETURNING seq, hash`, a.PartnershipID).Scan(&ev.Seq, &ev.PrevHash)
	if errors.Is(err, sql.ErrNoRows) {
		ev.Seq, ev.PrevHash = 1, genesis
		_, err = tx.ExecContext(ctx, `INSERT INTO audit_head (partnership_id, seq, hash) VALUES ($1, 1, $2)`, a.PartnershipID, genesis)
	}
	if err != nil {
		return Event{}, fmt.Errorf("audit: advance chain: %w", err)
	}
	ev.Hash = ComputeHash(ev)
	_, err = tx.ExecContext(ctx, `INSERT INTO audit_event (id, partnership_id, seq, at, at_us, actor_id, actor_name, agency_id, agency_name, operation,
		record_type, record_ids, record_label, fields, justification, recipients, isa_id, request_id, client_addr, prev_hash, hash)
		VALUES ($1, $2, $3, $4, $21, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)`,
		ev.ID, ev.PartnershipID, ev.Seq, ev.At, ev.ActorID, ev.ActorName, ev.AgencyID, ev.AgencyName, string(ev.Operation),
		ev.RecordType, strings.Join(ev.RecordIDs, " "), ev.Label, strings.Join(ev.Fields, " "), ev.Justification, ev.Recipients,
		ev.ISAID, ev.RequestID, ev.ClientAddr, ev.PrevHash, ev.Hash, ev.At.UnixMicro())
	if err != nil {
		return Event{}, fmt.Errorf("audit: append: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE audit_head SET hash = $2 WHERE partnership_id = $1`, a.PartnershipID, ev.Hash); err != nil {
		return Event{}, fmt.Errorf("audit: advance chain: %w", err)
	}
	for _, id := range ev.RecordIDs {
		if _, err := tx.ExecContext(ctx, `INSERT INTO audit_subject (partnership_id, record_id, seq) VALUES ($1, $2, $3)`, ev.PartnershipID, id, ev.Seq); err != nil {
			return Event{}, fmt.Errorf("audit: index subject: %w", err)
		}
	}
	if ev.Seq%CheckpointEvery == 0 {
		if err := l.checkpoint(ctx, tx, ev); err != nil {
			return Event{}, err
		}
	}
	return ev, nil
}

func (l *Log) checkpoint(ctx context.Context, tx *sql.Tx, ev Event) error {
	sig := ed25519.Sign(l.key, checkpointMessage(ev.PartnershipID, ev.Seq, ev.Hash))
	_, err := tx.ExecContext(ctx, `INSERT INTO audit_checkpoint (partnership_id, seq, hash, at, key_id, signature) VALUES ($1, $2, $3, $4, $5, $6)`,
		ev.PartnershipID, ev.Seq, ev.Hash, ev.At, l.keyID, hex.EncodeToString(sig))
	if err != nil {
		return fmt.Errorf("audit: checkpoint: %w", err)
	}
	return nil
}

// Checkpoint signs the current head of every chain now (the verify command
// offers it, so an operator can seal the tail before an inspection).
func (l *Log) Checkpoint(ctx context.Context, tx *sql.Tx) (int, error) {
	rows, err := tx.QueryContext(ctx, `SELECT h.partnership_id, h.seq, h.hash FROM audit_head h
		WHERE NOT EXISTS (SELECT 1 FROM audit_checkpoint c WHERE c.partnership_id = h.partnership_id AND c.seq = h.seq)`)
	if err != nil {
		return 0, fmt.Errorf("audit: heads: %w", err)
	}
	var heads []Event
	for rows.Next() {
		var e Event
		if err := rows.Scan(&e.PartnershipID, &e.Seq, &e.Hash); err != nil {
			rows.Close()
			return 0, err
		}
		heads = append(heads, e)
	}
	if err := rows.Err(); err != nil {
		rows.Close()
		return 0, err
	}
	rows.Close()
	for _, h := range heads {
		h.At = l.now().UTC().Truncate(time.Microsecond)
		if err := l.checkpoint(ctx, tx, h); err != nil {
			return 0, err
		}
	}
	return len(heads), nil
}

// MetaFrom reads the request id and client address the HTTP middleware put
// in ctx.
func MetaFrom(ctx context.Context) Meta {
	return Meta{RequestID: observe.RequestID(ctx), ClientAddr: observe.ClientAddr(ctx)}
}

// SigningKey derives the checkpoint signing key from the deployment's
// secret key, so there is one secret to keep.
func SigningKey(secret []byte) ed25519.PrivateKey {
	seed := sha256.Sum256(append([]byte("alliance audit checkpoint key v1|"), secret...))
	return ed25519.NewKeyFromSeed(seed[:])
}
