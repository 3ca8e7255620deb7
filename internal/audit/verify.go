package audit

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"time"

	"alliance/internal/store"
)

// Problem is one thing Verify found wrong.
type Problem struct {
	PartnershipID string
	Seq           int64
	// Kind is "changed", "removed", "inserted" (entries in the chain),
	// "truncated" (entries cut off its end), "head" (the head disagrees
	// with the chain otherwise), "unsigned" (a head without a signature),
	// "checkpoint" (an altered checkpoint) or "key" (a signature by
	// another key: the verifier holds the wrong key, which by itself is
	// not evidence of tampering).
	Kind   string
	Detail string
}

func (p Problem) String() string {
	return fmt.Sprintf("partnership %s, entry %d: %s: %s", p.PartnershipID, p.Seq, p.Kind, p.Detail)
}

// Report is what Verify checked and found.
type Report struct {
	Chains      int
	Entries     int64
	Checkpoints int
	Problems    []Problem // the first problems, in chain order, at most 100
	// Heads are the chains' ends as recorded, by partnership: kept
	// outside the database, they show later whether a chain was rolled
	// back to an earlier state, which no signature inside it can.
	Heads   []Head
	Elapsed time.Duration
}

// Head is a chain's recorded end.
type Head struct {
	PartnershipID string
	Seq           int64
	Hash          string
}

// OK reports whether nothing was wrong.
func (r Report) OK() bool { return len(r.Problems) == 0 }

// OnlyKinds reports whether there are problems and each is of one of kinds:
// the verify command tells "signed with a different key" and "heads not
// yet signed" apart from tampering with it.
func (r Report) OnlyKinds(kinds ...string) bool {
	if r.OK() {
		return false
	}
	for _, p := range r.Problems {
		if !slices.Contains(kinds, p.Kind) {
			return false
		}
	}
	return true
}

// Verify walks every chain in db: it recomputes each entry's hash (an edited
// entry no longer matches), checks positions run 1, 2, 3 … without gaps (a
// deleted entry leaves one), checks each entry names its predecessor's hash
// (an inserted or reordered entry breaks the link), checks the chain ends
// where audit_head says and that the head's Ed25519 signature under pub
// matches that end (entries cut off the end, with the head set back to
// match, break it: only the key's holder can sign a head), and checks every
// checkpoint's signature under pub and that the chain passes through the
// hash it signed (a chain rewritten from some point on, hashes and all, no
// longer does). A signature by a key other than pub is reported as kind
// "key", apart from tampering, only while no signature in the log verifies
// under pub: key ids are not signed, so once one does (pub is the log's
// key), a signature naming another key is reported as tampering. Chains are
// independent, so they are walked in parallel, one per core; each is read one
// row at a time, so memory does not grow with the log. Problems are reported
// chain by chain, in chain order.
func Verify(ctx context.Context, db *sql.DB, pub ed25519.PublicKey) (Report, error) {
	start := time.Now()
	v := verifier{pub: pub, keyID: KeyID(pub)}
	var rep Report
	heads, err := v.readHeads(ctx, db)
	if err != nil {
		return rep, err
	}
	pids, err := store.PartnershipIDs(ctx, db)
	if err != nil {
		return rep, err
	}
	results, err := v.walkChains(ctx, db, pids, heads)
	if err != nil {
		return rep, err
	}
	for _, pid := range pids {
		if h, ok := heads[pid]; ok {
			rep.Heads = append(rep.Heads, Head{pid, h.Seq, h.Hash})
		}
	}
	for _, r := range results {
		v.proven = v.proven || r.proven
	}
	var problems []Problem
	for _, r := range results {
		rep.Entries += r.entries
		rep.Checkpoints += r.checkpoints
		if r.exists {
			rep.Chains++
		}
		for _, p := range r.cpProblems {
			problems = append(problems, v.reclassify(p, true))
		}
		for _, p := range r.problems {
			problems = append(problems, v.reclassify(p, false))
		}
	}
	if len(problems) > 100 {
		problems = problems[:100]
	}
	rep.Problems = problems
	rep.Elapsed = time.Since(start)
	return rep, nil
}

// reclassify turns a problem of kind "key" into tampering once the key
// given is proven to be the log's: key ids are not signed, so a signature
// naming another key is then an altered checkpoint or head.
func (v *verifier) reclassify(p Problem, checkpoint bool) Problem {
	if !v.proven || p.Kind != "key" {
		return p
	}
	if checkpoint {
		p.Kind = "checkpoint"
		p.Detail = "the checkpoint names another key, and its signature does not match under the key given, which other signatures show is the log's key: the checkpoint was altered"
		return p
	}
	p.Kind = "truncated"
	p.Detail = fmt.Sprintf("the head names another key, and its signature does not match entry %d as the chain's end under the key given, which other signatures show is the log's key: the head was set back (entries cut off the end) or altered", p.Seq)
	return p
}

// verifier holds what Verify learns before it walks the chains.
type verifier struct {
	pub   ed25519.PublicKey
	keyID string
	// proven: some signature in the log verifies under pub, so pub is the
	// log's key, and a signature that names another key (key_id is not
	// signed: anyone with write access can change it) is tampering, never
	// "the wrong key".
	proven bool
}

// checkpointPage is how many of a chain's checkpoints Verify holds at a
// time (one per CheckpointEvery entries: a page covers a million).
const checkpointPage = 1000

// checkpoints reads a chain's signed checkpoints a page at a time while the
// chain is walked, checks each one's signature once, and keeps the page's
// valid ones for the walk to compare with the chain; memory stays that of
// one page, however long the chain.
type checkpoints struct {
	ctx      context.Context
	db       *sql.DB
	pid      string
	v        *verifier
	page     []store.AuditCheckpoint
	valid    []bool
	i        int
	last     int64 // position of the last checkpoint read
	done     bool  // every checkpoint has been read
	n        int
	proven   bool
	problems []Problem
}

// next reads the next page, checking each checkpoint's signature.
func (c *checkpoints) next() error {
	page, err := store.AuditChainCheckpoints(c.ctx, c.db, c.pid, c.last, checkpointPage)
	if err != nil {
		return err
	}
	c.page, c.i, c.done = page, 0, len(page) < checkpointPage
	c.valid = c.valid[:0]
	for _, cp := range page {
		c.valid = append(c.valid, c.check(cp))
		c.last = cp.Seq
	}
	c.n += len(page)
	return nil
}

// check checks one checkpoint's signature, noting a problem when it does
// not hold, and reports whether the walk may trust its hash.
func (c *checkpoints) check(cp store.AuditCheckpoint) bool {
	raw, _ := hex.DecodeString(cp.Signature)
	valid := ed25519.Verify(c.v.pub, checkpointMessage(cp.PartnershipID, cp.Seq, cp.Hash), raw)
	c.proven = c.proven || valid
	add := func(kind, detail string) {
		if len(c.problems) < 100 {
			c.problems = append(c.problems, Problem{cp.PartnershipID, cp.Seq, kind, detail})
		}
	}
	switch {
	case cp.KeyID != c.v.keyID && valid:
		add("checkpoint", fmt.Sprintf("the checkpoint's key id was changed to %s, though the key given signed it: the checkpoint was altered", cp.KeyID))
	case cp.KeyID != c.v.keyID:
		add("key", fmt.Sprintf("the checkpoint was signed with key %s, not the key given (%s): verify with the key the log was written with", cp.KeyID, c.v.keyID))
	case !valid:
		add("checkpoint", "signature does not match: the checkpoint was altered")
	default:
		return true
	}
	return false
}

// at returns the hash a valid checkpoint records at position seq, if there
// is one. Positions only grow during a walk.
func (c *checkpoints) at(seq int64) (string, bool, error) {
	for {
		for c.i < len(c.page) && c.page[c.i].Seq < seq {
			c.i++
		}
		if c.i < len(c.page) || c.done {
			break
		}
		if err := c.next(); err != nil {
			return "", false, err
		}
	}
	if c.i < len(c.page) && c.page[c.i].Seq == seq && c.valid[c.i] {
		return c.page[c.i].Hash, true, nil
	}
	return "", false, nil
}

// after calls fn with the position of every valid checkpoint past last:
// each vouches for an entry the chain no longer has.
func (c *checkpoints) after(last int64, fn func(seq int64)) error {
	for {
		for ; c.i < len(c.page); c.i++ {
			if c.page[c.i].Seq > last && c.valid[c.i] {
				fn(c.page[c.i].Seq)
			}
		}
		if c.done {
			return nil
		}
		if err := c.next(); err != nil {
			return err
		}
	}
}

// readHeads returns the chains' heads by partnership, noting whether any
// is signed by the key given.
func (v *verifier) readHeads(ctx context.Context, db *sql.DB) (map[string]store.AuditHead, error) {
	list, err := store.AuditHeads(ctx, db)
	if err != nil {
		return nil, err
	}
	heads := make(map[string]store.AuditHead, len(list))
	for _, h := range list {
		raw, _ := hex.DecodeString(h.Signature)
		v.proven = v.proven || ed25519.Verify(v.pub, headMessage(h.PartnershipID, h.Seq, h.Hash), raw)
		heads[h.PartnershipID] = h
	}
	return heads, nil
}

// chainResult is what walking one chain found.
type chainResult struct {
	entries     int64
	checkpoints int
	exists      bool
	proven      bool // a checkpoint of the chain verifies under the key given
	cpProblems  []Problem
	problems    []Problem
}

// walkChains verifies the chains of pids in parallel, one per core, and
// returns their results in the order of pids.
func (v *verifier) walkChains(ctx context.Context, db *sql.DB, pids []string, heads map[string]store.AuditHead) ([]chainResult, error) {
	results := make([]chainResult, len(pids))
	errs := make([]error, len(pids))
	next := make(chan int)
	var wg sync.WaitGroup
	for range max(1, runtime.GOMAXPROCS(0)) {
		wg.Go(func() {
			w := newChainWalk()
			for i := range next {
				h, hasHead := heads[pids[i]]
				results[i], errs[i] = w.verifyChain(ctx, db, v, pids[i], h, hasHead)
			}
		})
	}
	for i := range pids {
		select {
		case next <- i:
		case <-ctx.Done():
		}
	}
	close(next)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return results, nil
}

// chainWalk is the state of one chain's walk: where it is and what it has
// found. Its buffers, and the hash, are reused for every entry and every
// chain one worker walks.
type chainWalk struct {
	pid         string
	pidBytes    []byte
	checkpoints *checkpoints
	problems    []Problem
	n, expect   int64
	h           hash.Hash
	tag         []byte
	lenBuf      [binary.MaxVarintLen64]byte
	seqBuf      []byte
	usBuf       []byte
	sum         []byte
	hexSum      []byte
	lastHash    []byte
}

func newChainWalk() *chainWalk {
	return &chainWalk{h: sha256.New(), tag: []byte(versionTag), sum: make([]byte, 0, sha256.Size), hexSum: make([]byte, 2*sha256.Size), lastHash: make([]byte, 0, 2*sha256.Size)}
}

func (w *chainWalk) add(p Problem) {
	if len(w.problems) < 100 {
		w.problems = append(w.problems, p)
	}
}

// put writes one part of the canonical encoding (see hashParts).
func (w *chainWalk) put(b []byte) {
	w.h.Write(w.lenBuf[:binary.PutUvarint(w.lenBuf[:], uint64(len(b)))])
	w.h.Write(b)
}

// entry checks one entry: its hash, its position and its link to the one
// before. Every text column is hashed as raw bytes where it lies, into the
// walk's one hash, so an entry costs no allocations.
func (w *chainWalk) entry(r *store.AuditChainRow) error {
	w.n++
	w.seqBuf = strconv.AppendInt(w.seqBuf[:0], r.Seq, 10)
	w.usBuf = strconv.AppendInt(w.usBuf[:0], r.AtMicros, 10)
	w.h.Reset()
	w.put(w.tag)
	for _, b := range [...][]byte{w.pidBytes, w.seqBuf, w.usBuf, r.ActorID, r.ActorName, r.AgencyID, r.AgencyName, r.Operation, r.RecordType,
		r.RecordIDs, r.Label, r.Fields, r.Justification, r.Recipients, r.ISAID, r.RequestID, r.ClientAddr, r.PrevHash} {
		w.put(b)
	}
	w.sum = w.h.Sum(w.sum[:0])
	hex.Encode(w.hexSum, w.sum)
	switch {
	case !bytes.Equal(w.hexSum, r.Hash):
		w.add(Problem{w.pid, r.Seq, "changed", "the entry's content no longer matches its hash"})
	case r.Seq > w.expect:
		w.add(Problem{w.pid, w.expect, "removed", fmt.Sprintf("entries %d to %d are missing", w.expect, r.Seq-1)})
	case !bytes.Equal(r.PrevHash, w.lastHash):
		w.add(Problem{w.pid, r.Seq, "inserted", "the entry does not follow the one before it: an entry was inserted, replaced or reordered"})
	}
	want, ok, err := w.checkpoints.at(r.Seq)
	if err != nil {
		return err
	}
	if ok && want != string(r.Hash) {
		w.add(Problem{w.pid, r.Seq, "changed", "the chain no longer passes through the hash a signed checkpoint recorded: the log was rewritten"})
	}
	w.expect = r.Seq + 1
	w.lastHash = append(w.lastHash[:0], r.Hash...)
	return nil
}

// verifyChain walks one partnership's chain in order, one row at a time,
// with its checkpoints a page at a time beside it, then checks its end
// against its head h (hasHead: the chain has a head row) and the
// checkpoints past that end.
func (w *chainWalk) verifyChain(ctx context.Context, db *sql.DB, v *verifier, pid string, h store.AuditHead, hasHead bool) (chainResult, error) {
	w.pid, w.pidBytes, w.problems, w.n, w.expect = pid, append(w.pidBytes[:0], pid...), nil, 0, 1
	w.lastHash = append(w.lastHash[:0], genesis...)
	cps := &checkpoints{ctx: ctx, db: db, pid: pid, v: v}
	w.checkpoints = cps
	if err := cps.next(); err != nil {
		return chainResult{}, err
	}
	if err := store.ScanAuditChain(ctx, db, pid, w.entry); err != nil {
		return chainResult{}, err
	}
	last := w.expect - 1
	switch {
	case !hasHead && w.n > 0:
		w.add(Problem{pid, last, "head", "the chain has no recorded head"})
	case !hasHead:
		// No chain: nothing was ever logged for the partnership.
	default:
		if p, ok := headProblem(h, v.pub); !ok {
			w.add(p)
		}
		switch {
		case last < h.Seq:
			w.add(Problem{pid, last, "truncated", fmt.Sprintf("the chain ends at entry %d but its head is at entry %d: entries %d to %d were cut off the end", last, h.Seq, last+1, h.Seq)})
		case last > h.Seq || h.Hash != string(w.lastHash):
			w.add(Problem{pid, last, "head", fmt.Sprintf("the chain ends at entry %d but its head says entry %d with another hash: entries were added to or replaced at the end", last, h.Seq)})
		}
	}
	err := cps.after(last, func(cp int64) {
		w.add(Problem{pid, cp, "removed", fmt.Sprintf("a signed checkpoint vouches for entry %d, which is gone", cp)})
	})
	return chainResult{entries: w.n, checkpoints: cps.n, exists: w.n > 0 || hasHead, proven: cps.proven, cpProblems: cps.problems, problems: w.problems}, err
}

// headState is what a head's signature says under a public key.
type headState int

const (
	headSigned       headState = iota // signed by the key, over the head's position and hash
	headUnsigned                      // no signature
	headKeyIDChanged                  // signed by the key, but naming another key id
	headOtherKey                      // naming another key, and not signed by the key given
	headMismatch                      // naming the key, but the signature does not match the head's position and hash
)

// headSignature checks h's signature under pub: the one check both the
// writers (Log.checkHead, before they extend a chain) and Verify make.
func headSignature(h store.AuditHead, pub ed25519.PublicKey) headState {
	if h.Signature == "" {
		return headUnsigned
	}
	raw, err := hex.DecodeString(h.Signature)
	valid := err == nil && ed25519.Verify(pub, headMessage(h.PartnershipID, h.Seq, h.Hash), raw)
	switch {
	case h.KeyID != KeyID(pub) && valid:
		return headKeyIDChanged
	case h.KeyID != KeyID(pub):
		return headOtherKey
	case !valid:
		return headMismatch
	}
	return headSigned
}

// headProblem verifies the head's signature under pub. A head whose
// signature fails names a position and hash it was not signed at: someone
// set it back (cutting entries off the end) or otherwise moved it.
func headProblem(h store.AuditHead, pub ed25519.PublicKey) (Problem, bool) {
	pid := h.PartnershipID
	switch headSignature(h, pub) {
	case headUnsigned:
		return Problem{pid, h.Seq, "unsigned", "the chain's head carries no signature: the log was written before heads were signed " +
			"(sign them with alliance audit verify --checkpoint) or the signature was removed; entries after the last checkpoint could be cut off unnoticed"}, false
	case headKeyIDChanged:
		return Problem{pid, h.Seq, "head", fmt.Sprintf("the head's key id was changed to %s, though the key given signed it: the head was altered", h.KeyID)}, false
	case headOtherKey:
		return Problem{pid, h.Seq, "key", fmt.Sprintf("the head was signed with key %s, not the key given (%s): verify with the key the log was written with", h.KeyID, KeyID(pub))}, false
	case headMismatch:
		return Problem{pid, h.Seq, "truncated", fmt.Sprintf("the head's signature does not match entry %d as the chain's end: the head was set back (entries cut off the end) or altered", h.Seq)}, false
	}
	return Problem{}, true
}
