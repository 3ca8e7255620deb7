// Package audit is the DPA 2018 s.62 log: who collected, altered, consulted,
// disclosed, combined or erased which record, when, from which agency and
// why. Entries are appended in the same transaction as the work they record,
// so there is no change without its entry and no entry without its change.
// Each partnership's entries form a hash chain (each entry carries the hash
// of the one before), with Ed25519-signed checkpoints every 1,000 entries and
// a signed head (the chain's last position and hash, signed by every
// transaction that appends), so Verify finds any entry that was changed,
// removed or inserted afterwards, and entries cut off the end.
// Entries name records and fields, never their protected values. The
// package hashes, signs and verifies; it runs no SQL itself: the store
// reads and writes the log's rows (store/auditlog.go).
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
	"sync"
	"time"

	"alliance/internal/domain"
	"alliance/internal/observe"
	"alliance/internal/store"
	"alliance/internal/store/txhook"
)

// Operation is a kind of processing DPA 2018 s.62(1) requires logging.
type Operation = domain.AuditOperation

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

// Event is a stored entry: the plain row type lives in domain, so the
// store, which reads and writes the rows, need not import this package.
type Event = domain.AuditEvent

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

// versionTag begins every entry's canonical encoding.
const versionTag = "alliance-audit-v1"

// hashParts is the canonical encoding's SHA-256 (appended to dst): a version
// tag, then each part length-prefixed, in the order ComputeHash lists them.
func hashParts(dst []byte, parts ...[]byte) []byte {
	h := sha256.New()
	var n [binary.MaxVarintLen64]byte
	put := func(b []byte) {
		h.Write(n[:binary.PutUvarint(n[:], uint64(len(b)))])
		h.Write(b)
	}
	put([]byte(versionTag))
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
	// known remembers, by partnership, the last head this Log signed or
	// found validly signed: a head read back exactly as it is here needs
	// no second Ed25519 verification (62 µs), because a signature that
	// verified over a position and hash still does. It holds one head per
	// chain and decides nothing a database check would not: any other
	// head is verified in full.
	mu    sync.Mutex
	known map[string]store.AuditHead
}

// NewLog returns a Log signing checkpoints with key.
func NewLog(now func() time.Time, newID func() string, key ed25519.PrivateKey) *Log {
	return &Log{now: now, newID: newID, key: key, keyID: KeyID(key.Public().(ed25519.PublicKey)), known: map[string]store.AuditHead{}}
}

// KeyID names a public key: the first 16 hex digits of its SHA-256.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:8])
}

func checkpointMessage(pid string, seq int64, hash string) []byte {
	return []byte("alliance-audit-checkpoint-v1|" + pid + "|" + strconv.FormatInt(seq, 10) + "|" + hash)
}

// ErrHead means a chain's head, which Append or AppendBatch was about to
// extend, is not signed by this deployment's key: it is unsigned, signed
// with another key, or its signature does not match its position and hash
// (entries were cut off the end of the chain and the head set back). The
// write is refused, so a later entry cannot make a shortened chain look
// whole; `alliance audit verify` says which.
var ErrHead = errors.New("audit: the chain's head is not signed by this deployment's key")

// sealKey names the per-transaction work of signing one chain's head.
type sealKey struct{ partnershipID string }

// pendingHead is a chain's new end while a transaction appends to it: the
// entries are written at once, the head's hash and signature once, just
// before commit.
type pendingHead struct {
	l    *Log
	pid  string
	seq  int64
	hash string
	// moved: an entry was written, so there is a new end to write.
	moved bool
	// evs and cps are the entries Append placed in the chain and the
	// checkpoints among them, written together just before commit.
	evs []Event
	cps []store.AuditCheckpoint
}

// BeforeCommit writes the transaction's entries and the chain's new end,
// signed.
func (p *pendingHead) BeforeCommit(ctx context.Context, tx *sql.Tx) error {
	if !p.moved {
		return nil
	}
	if err := store.InsertAuditEvents(ctx, tx, p.evs, p.cps); err != nil {
		return err
	}
	return p.l.setHead(ctx, tx, p.pid, p.seq, p.hash)
}

// checkHead returns ErrHead, wrapped with the reason, unless h is the head
// this transaction just made for a new chain or carries this log's valid
// signature. (A committed head is never at position 0, so an unsigned one
// there is a chain someone emptied.)
func (l *Log) checkHead(h store.AuditHead) error {
	if h.Created && h.Seq == 0 && h.Signature == "" {
		return nil
	}
	if l.isKnown(h) {
		return nil
	}
	switch headSignature(h, l.key.Public().(ed25519.PublicKey)) {
	case headUnsigned:
		return fmt.Errorf("%w: partnership %s's chain ends at entry %d with no signature (a log written before head signing, or the signature was removed); run alliance audit verify",
			ErrHead, h.PartnershipID, h.Seq)
	case headKeyIDChanged, headOtherKey:
		return fmt.Errorf("%w: partnership %s's head was signed with key %s, not this deployment's key %s (wrong ALLIANCE_SECRET_KEY or key file?)",
			ErrHead, h.PartnershipID, h.KeyID, l.keyID)
	case headMismatch:
		return fmt.Errorf("%w: partnership %s's head signature does not match entry %d: entries may have been cut off the end of the chain; run alliance audit verify",
			ErrHead, h.PartnershipID, h.Seq)
	}
	l.remember(h.PartnershipID, h.Seq, h.Hash, h.Signature)
	return nil
}

// isKnown reports whether h is, field for field, a head this Log signed or
// has verified.
func (l *Log) isKnown(h store.AuditHead) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	k, ok := l.known[h.PartnershipID]
	return ok && k.Seq == h.Seq && k.Hash == h.Hash && k.KeyID == h.KeyID && k.Signature == h.Signature && h.KeyID == l.keyID
}

// remember notes a head whose signature by this Log's key is valid.
func (l *Log) remember(pid string, seq int64, hash, sig string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.known[pid] = store.AuditHead{PartnershipID: pid, Seq: seq, Hash: hash, KeyID: l.keyID, Signature: sig}
}

// extendHead takes the chain's head for a write of n entries, checks it,
// and returns the position and hash the write continues from, and the
// pending head the caller must move to its new end. Inside store.InTx or
// store.BulkTx the head is checked at the transaction's first write to the
// chain and written and signed once, just before commit (later writes in the
// transaction continue from the pending head); elsewhere pending is nil and
// the caller writes and signs the head itself with setHead.
func (l *Log) extendHead(ctx context.Context, tx *sql.Tx, pid string, n int64) (prev store.AuditHead, pending *pendingHead, err error) {
	h, first, ok := txhook.Register(ctx, tx, sealKey{pid}, func() txhook.Hook { return &pendingHead{l: l, pid: pid} })
	if ok && !first {
		// The transaction already holds the head row (taken by its first
		// write to the chain, and locked until commit) and continues
		// from the pending head, which its hook writes, position
		// included, before commit.
		pending = h.(*pendingHead)
		return store.AuditHead{PartnershipID: pid, Seq: pending.seq, Hash: pending.hash}, pending, nil
	}
	prev, err = store.TakeAuditHead(ctx, tx, pid, n, genesis)
	if err != nil {
		return store.AuditHead{}, nil, err
	}
	if err := l.checkHead(prev); err != nil {
		return store.AuditHead{}, nil, err
	}
	if ok {
		pending = h.(*pendingHead)
		pending.seq, pending.hash = prev.Seq, prev.Hash
	}
	return prev, pending, nil
}

// setHead records the chain's new end and signs it.
func (l *Log) setHead(ctx context.Context, tx *sql.Tx, pid string, seq int64, hash string) error {
	sig := l.signHead(pid, seq, hash)
	if err := store.SetAuditHead(ctx, tx, pid, seq, hash, l.keyID, sig); err != nil {
		return err
	}
	l.remember(pid, seq, hash, sig)
	return nil
}

func (l *Log) signHead(pid string, seq int64, hash string) string {
	return hex.EncodeToString(ed25519.Sign(l.key, headMessage(pid, seq, hash)))
}

// headMessage is what a head signature covers: the chain and its end. It
// differs from a checkpoint's, so neither can stand in for the other.
func headMessage(pid string, seq int64, hash string) []byte {
	return []byte("alliance-audit-head-v1|" + pid + "|" + strconv.FormatInt(seq, 10) + "|" + hash)
}

// Append writes e for actor in tx, advancing the partnership's chain. It
// must run in the same transaction as the work it records. It refuses
// (ErrHead) to extend a chain whose head is not signed by this log's key,
// and the transaction signs the new head before it commits.
func (l *Log) Append(ctx context.Context, tx *sql.Tx, a domain.Actor, m Meta, e Entry) (Event, error) {
	if a.PartnershipID == "" {
		return Event{}, errors.New("audit: actor has no partnership")
	}
	ev := Event{ID: l.newID(), PartnershipID: a.PartnershipID, At: l.now().UTC().Truncate(time.Microsecond),
		ActorID: a.UserID, ActorName: a.DisplayName, AgencyID: a.AgencyID, AgencyName: a.AgencyName,
		Operation: e.Operation, RecordType: e.RecordType, RecordIDs: e.RecordIDs, Label: e.Label, Fields: e.Fields,
		Justification: e.Justification, Recipients: e.Recipients, ISAID: e.ISAID, RequestID: m.RequestID, ClientAddr: m.ClientAddr}
	prev, pending, err := l.extendHead(ctx, tx, a.PartnershipID, 1)
	if err != nil {
		return Event{}, err
	}
	ev.Seq, ev.PrevHash = prev.Seq+1, prev.Hash
	ev.Hash = ComputeHash(ev)
	var cp []store.AuditCheckpoint
	if ev.Seq%CheckpointEvery == 0 {
		cp = append(cp, l.checkpoint(ev.PartnershipID, ev.Seq, ev.Hash, ev.At))
	}
	if pending != nil {
		// Written with the transaction's other entries before commit.
		pending.seq, pending.hash, pending.moved = ev.Seq, ev.Hash, true
		pending.evs, pending.cps = append(pending.evs, ev), append(pending.cps, cp...)
		return ev, nil
	}
	if err := store.InsertAuditEvent(ctx, tx, ev); err != nil {
		return Event{}, err
	}
	if err := l.setHead(ctx, tx, ev.PartnershipID, ev.Seq, ev.Hash); err != nil {
		return Event{}, err
	}
	for _, c := range cp {
		if err := store.InsertAuditCheckpoint(ctx, tx, c); err != nil {
			return Event{}, err
		}
	}
	return ev, nil
}

// checkpoint returns the signed checkpoint of a chain at seq, whose entry
// there has hash and was written at at.
func (l *Log) checkpoint(pid string, seq int64, hash string, at time.Time) store.AuditCheckpoint {
	sig := ed25519.Sign(l.key, checkpointMessage(pid, seq, hash))
	return store.AuditCheckpoint{PartnershipID: pid, Seq: seq, Hash: hash, At: at, KeyID: l.keyID, Signature: hex.EncodeToString(sig)}
}

// Checkpoint signs every chain's head as it stands now and adds a signed
// checkpoint at it where there is none. The verify command offers it after a
// clean check, so an operator can seal the tail before an inspection, or
// sign the heads of a log written before heads were signed. It takes each
// head row as Append does, so it cannot sign a head a concurrent writer is
// moving; run it in a transaction that appends nothing (an append's new head
// is written only at commit). It returns the number of new checkpoints.
func (l *Log) Checkpoint(ctx context.Context, tx *sql.Tx) (int, error) {
	heads, err := store.TakeAuditHeads(ctx, tx, false)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, h := range heads {
		if err := l.setHead(ctx, tx, h.PartnershipID, h.Seq, h.Hash); err != nil {
			return 0, err
		}
		if h.Seq == 0 {
			continue
		}
		exists, err := store.AuditCheckpointExists(ctx, tx, h.PartnershipID, h.Seq)
		if err != nil {
			return 0, err
		}
		if exists {
			continue
		}
		at := l.now().UTC().Truncate(time.Microsecond)
		if err := store.InsertAuditCheckpoint(ctx, tx, l.checkpoint(h.PartnershipID, h.Seq, h.Hash, at)); err != nil {
			return 0, err
		}
		n++
	}
	return n, nil
}

// SignUnsignedHeads signs the heads that carry no signature: those of a log
// written before heads were signed. It trusts those heads as they stand, so
// it is run once, when the upgrade that adds head signatures is applied, or
// by an operator after a clean check. It returns how many it signed.
func (l *Log) SignUnsignedHeads(ctx context.Context, tx *sql.Tx) (int, error) {
	heads, err := store.TakeAuditHeads(ctx, tx, true)
	if err != nil {
		return 0, err
	}
	for _, h := range heads {
		if err := l.setHead(ctx, tx, h.PartnershipID, h.Seq, h.Hash); err != nil {
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

// SecretKeyID is the KeyID of the signing key SigningKey derives from
// secret: what the log's signatures record as their key_id.
func SecretKeyID(secret []byte) string {
	return KeyID(SigningKey(secret).Public().(ed25519.PublicKey))
}

// KeyID names the key l signs with (see KeyID).
func (l *Log) KeyID() string { return l.keyID }
