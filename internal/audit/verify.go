package audit

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"database/sql"
	"encoding/hex"
	"fmt"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"sync"
	"time"
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
	var rep Report
	var checkpointProblems []Problem
	cps := map[string]map[int64]string{}
	rows, err := db.QueryContext(ctx, `SELECT CAST(partnership_id AS text), seq, hash, key_id, signature FROM audit_checkpoint ORDER BY partnership_id, seq`)
	if err != nil {
		return rep, fmt.Errorf("audit: read checkpoints: %w", err)
	}
	keyID := KeyID(pub)
	// proven: some signature in the log verifies under pub, so pub is the
	// log's key, and a signature that names another key (key_id is not
	// signed: anyone with write access can change it) is tampering, never
	// "the wrong key".
	proven := false
	for rows.Next() {
		var pid, hash, kid, sig string
		var seq int64
		if err := rows.Scan(&pid, &seq, &hash, &kid, &sig); err != nil {
			rows.Close()
			return rep, err
		}
		rep.Checkpoints++
		raw, _ := hex.DecodeString(sig)
		valid := ed25519.Verify(pub, checkpointMessage(pid, seq, hash), raw)
		proven = proven || valid
		switch {
		case kid != keyID && valid:
			checkpointProblems = append(checkpointProblems, Problem{pid, seq, "checkpoint", fmt.Sprintf("the checkpoint's key id was changed to %s, though the key given signed it: the checkpoint was altered", kid)})
		case kid != keyID:
			checkpointProblems = append(checkpointProblems, Problem{pid, seq, "key", fmt.Sprintf("the checkpoint was signed with key %s, not the key given (%s): verify with the key the log was written with", kid, keyID)})
		case !valid:
			checkpointProblems = append(checkpointProblems, Problem{pid, seq, "checkpoint", "signature does not match: the checkpoint was altered"})
		default:
			if cps[pid] == nil {
				cps[pid] = map[int64]string{}
			}
			cps[pid][seq] = hash
		}
	}
	if err := rows.Err(); err != nil {
		rows.Close()
		return rep, err
	}
	rows.Close()

	heads := map[string]signedHead{}
	hrows, err := db.QueryContext(ctx, `SELECT CAST(partnership_id AS text), seq, hash, key_id, signature FROM audit_head`)
	if err != nil {
		return rep, fmt.Errorf("audit: read heads: %w", err)
	}
	for hrows.Next() {
		var pid string
		h := signedHead{ok: true}
		if err := hrows.Scan(&pid, &h.seq, &h.hash, &h.keyID, &h.sig); err != nil {
			hrows.Close()
			return rep, err
		}
		raw, _ := hex.DecodeString(h.sig)
		proven = proven || ed25519.Verify(pub, headMessage(pid, h.seq, h.hash), raw)
		heads[pid] = h
	}
	if err := hrows.Err(); err != nil {
		hrows.Close()
		return rep, err
	}
	hrows.Close()
	// Every chain belongs to a partnership (a foreign key says so).
	var pids []string
	prows, err := db.QueryContext(ctx, `SELECT CAST(id AS text) FROM partnership ORDER BY id`)
	if err != nil {
		return rep, fmt.Errorf("audit: read partnerships: %w", err)
	}
	for prows.Next() {
		var pid string
		if err := prows.Scan(&pid); err != nil {
			prows.Close()
			return rep, err
		}
		pids = append(pids, pid)
	}
	if err := prows.Err(); err != nil {
		prows.Close()
		return rep, err
	}
	prows.Close()

	type result struct {
		entries  int64
		exists   bool
		problems []Problem
		err      error
	}
	results := make([]result, len(pids))
	next := make(chan int)
	var wg sync.WaitGroup
	for range max(1, runtime.GOMAXPROCS(0)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				h := heads[pids[i]]
				r := &results[i]
				r.entries, r.problems, r.err = verifyChain(ctx, db, pids[i], cps[pids[i]], h, pub)
				r.exists = r.entries > 0 || h.ok
			}
		}()
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
		return rep, err
	}
	for _, pid := range pids {
		if h, ok := heads[pid]; ok {
			rep.Heads = append(rep.Heads, Head{pid, h.seq, h.hash})
		}
	}
	problems := checkpointProblems
	if proven {
		for i := range problems {
			if problems[i].Kind == "key" {
				problems[i].Kind = "checkpoint"
				problems[i].Detail = "the checkpoint names another key, and its signature does not match under the key given, which other signatures show is the log's key: the checkpoint was altered"
			}
		}
	}
	for _, r := range results {
		if r.err != nil {
			return rep, r.err
		}
		rep.Entries += r.entries
		if r.exists {
			rep.Chains++
		}
		for _, p := range r.problems {
			if proven && p.Kind == "key" {
				p.Kind = "truncated"
				p.Detail = fmt.Sprintf("the head names another key, and its signature does not match entry %d as the chain's end under the key given, which other signatures show is the log's key: the head was set back (entries cut off the end) or altered", p.Seq)
			}
			problems = append(problems, p)
		}
	}
	sort.SliceStable(problems, func(i, j int) bool { return problems[i].PartnershipID < problems[j].PartnershipID })
	if len(problems) > 100 {
		problems = problems[:100]
	}
	rep.Problems = problems
	rep.Elapsed = time.Since(start)
	return rep, nil
}

// verifyChain walks one partnership's chain in order. Every text column is
// read as raw bytes and hashed where it lies, so a row costs no allocations.
func verifyChain(ctx context.Context, db *sql.DB, pid string, checkpoints map[int64]string, h signedHead, pub ed25519.PublicKey) (int64, []Problem, error) {
	var problems []Problem
	add := func(p Problem) {
		if len(problems) < 100 {
			problems = append(problems, p)
		}
	}
	rows, err := db.QueryContext(ctx, `SELECT seq, at_us, actor_id, actor_name, agency_id, agency_name, operation,
		record_type, record_ids, record_label, fields, justification, recipients, isa_id, request_id, client_addr, prev_hash, hash
		FROM audit_event WHERE partnership_id = $1 ORDER BY seq`, pid)
	if err != nil {
		return 0, nil, fmt.Errorf("audit: read chain: %w", err)
	}
	defer rows.Close()
	var (
		actorID, actorName, agencyID, agencyName, op, rtype, ids, label, fields sql.RawBytes
		just, recip, isa, reqID, addr, prev, stored                             sql.RawBytes
		seq, us, n                                                              int64
		seqBuf, usBuf                                                           []byte
		sum                                                                     = make([]byte, 0, 32)
		hexSum                                                                  = make([]byte, 64)
		lastHash                                                                = []byte(genesis)
		pidBytes                                                                = []byte(pid)
		expect                                                                  = int64(1)
	)
	for rows.Next() {
		if err := rows.Scan(&seq, &us, &actorID, &actorName, &agencyID, &agencyName, &op, &rtype, &ids, &label, &fields,
			&just, &recip, &isa, &reqID, &addr, &prev, &stored); err != nil {
			return n, problems, fmt.Errorf("audit: read entry: %w", err)
		}
		n++
		seqBuf = strconv.AppendInt(seqBuf[:0], seq, 10)
		usBuf = strconv.AppendInt(usBuf[:0], us, 10)
		sum = hashParts(sum[:0], pidBytes, seqBuf, usBuf, actorID, actorName, agencyID, agencyName, op, rtype, ids, label, fields,
			just, recip, isa, reqID, addr, prev)
		hex.Encode(hexSum, sum)
		switch {
		case !bytes.Equal(hexSum, stored):
			add(Problem{pid, seq, "changed", "the entry's content no longer matches its hash"})
		case seq > expect:
			add(Problem{pid, expect, "removed", fmt.Sprintf("entries %d to %d are missing", expect, seq-1)})
		case !bytes.Equal(prev, lastHash):
			add(Problem{pid, seq, "inserted", "the entry does not follow the one before it: an entry was inserted, replaced or reordered"})
		}
		if want, ok := checkpoints[seq]; ok && want != string(stored) {
			add(Problem{pid, seq, "changed", "the chain no longer passes through the hash a signed checkpoint recorded: the log was rewritten"})
		}
		expect = seq + 1
		lastHash = append(lastHash[:0], stored...)
	}
	if err := rows.Err(); err != nil {
		return n, problems, fmt.Errorf("audit: read chain: %w", err)
	}
	last := expect - 1
	switch {
	case !h.ok && n > 0:
		add(Problem{pid, last, "head", "the chain has no recorded head"})
	case !h.ok:
		// No chain: nothing was ever logged for the partnership.
	default:
		if p, ok := h.check(pid, pub); !ok {
			add(p)
		}
		switch {
		case last < h.seq:
			add(Problem{pid, last, "truncated", fmt.Sprintf("the chain ends at entry %d but its head is at entry %d: entries %d to %d were cut off the end", last, h.seq, last+1, h.seq)})
		case last > h.seq || h.hash != string(lastHash):
			add(Problem{pid, last, "head", fmt.Sprintf("the chain ends at entry %d but its head says entry %d with another hash: entries were added to or replaced at the end", last, h.seq)})
		}
	}
	for cp := range checkpoints {
		if cp > last {
			add(Problem{pid, cp, "removed", fmt.Sprintf("a signed checkpoint vouches for entry %d, which is gone", cp)})
		}
	}
	return n, problems, nil
}

// signedHead is a chain's head as Verify read it.
type signedHead struct {
	seq        int64
	hash       string
	keyID, sig string
	ok         bool // the chain has a head row
}

// check verifies the head's signature under pub. A head whose signature
// fails names a position and hash it was not signed at: someone set it back
// (cutting entries off the end) or otherwise moved it.
func (h signedHead) check(pid string, pub ed25519.PublicKey) (Problem, bool) {
	switch raw, err := hex.DecodeString(h.sig); {
	case h.sig == "":
		return Problem{pid, h.seq, "unsigned", "the chain's head carries no signature: the log was written before heads were signed " +
			"(sign them with alliance audit verify --checkpoint) or the signature was removed; entries after the last checkpoint could be cut off unnoticed"}, false
	case h.keyID != KeyID(pub) && err == nil && ed25519.Verify(pub, headMessage(pid, h.seq, h.hash), raw):
		return Problem{pid, h.seq, "head", fmt.Sprintf("the head's key id was changed to %s, though the key given signed it: the head was altered", h.keyID)}, false
	case h.keyID != KeyID(pub):
		return Problem{pid, h.seq, "key", fmt.Sprintf("the head was signed with key %s, not the key given (%s): verify with the key the log was written with", h.keyID, KeyID(pub))}, false
	case err != nil || !ed25519.Verify(pub, headMessage(pid, h.seq, h.hash), raw):
		return Problem{pid, h.seq, "truncated", fmt.Sprintf("the head's signature does not match entry %d as the chain's end: the head was set back (entries cut off the end) or altered", h.seq)}, false
	}
	return Problem{}, true
}
