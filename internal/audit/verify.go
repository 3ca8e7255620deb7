package audit

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"database/sql"
	"encoding/hex"
	"fmt"
	"runtime"
	"sort"
	"strconv"
	"sync"
	"time"
)

// Problem is one thing Verify found wrong.
type Problem struct {
	PartnershipID string
	Seq           int64
	Kind          string // "changed", "removed", "inserted", "head", "checkpoint", "index"
	Detail        string
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
	Elapsed     time.Duration
}

// OK reports whether nothing was wrong.
func (r Report) OK() bool { return len(r.Problems) == 0 }

// Verify walks every chain in db: it recomputes each entry's hash (an edited
// entry no longer matches), checks positions run 1, 2, 3 … without gaps (a
// deleted entry leaves one), checks each entry names its predecessor's hash
// (an inserted or reordered entry breaks the link), checks the chain ends
// where audit_head says, and checks every checkpoint's Ed25519 signature
// under pub and that the chain passes through the hash it signed (a chain
// rewritten from some point on, hashes and all, no longer does). Chains are
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
	for rows.Next() {
		var pid, hash, kid, sig string
		var seq int64
		if err := rows.Scan(&pid, &seq, &hash, &kid, &sig); err != nil {
			rows.Close()
			return rep, err
		}
		rep.Checkpoints++
		raw, _ := hex.DecodeString(sig)
		switch {
		case kid != keyID:
			checkpointProblems = append(checkpointProblems, Problem{pid, seq, "checkpoint", fmt.Sprintf("signed with key %s, not this deployment's key %s", kid, keyID)})
		case !ed25519.Verify(pub, checkpointMessage(pid, seq, hash), raw):
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

	type head struct {
		seq  int64
		hash string
		ok   bool
	}
	heads := map[string]head{}
	hrows, err := db.QueryContext(ctx, `SELECT CAST(partnership_id AS text), seq, hash FROM audit_head`)
	if err != nil {
		return rep, fmt.Errorf("audit: read heads: %w", err)
	}
	for hrows.Next() {
		var pid, hash string
		var seq int64
		if err := hrows.Scan(&pid, &seq, &hash); err != nil {
			hrows.Close()
			return rep, err
		}
		heads[pid] = head{seq, hash, true}
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
				r.entries, r.problems, r.err = verifyChain(ctx, db, pids[i], cps[pids[i]], h.seq, h.hash, h.ok)
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
	problems := checkpointProblems
	for _, r := range results {
		if r.err != nil {
			return rep, r.err
		}
		rep.Entries += r.entries
		if r.exists {
			rep.Chains++
		}
		problems = append(problems, r.problems...)
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
func verifyChain(ctx context.Context, db *sql.DB, pid string, checkpoints map[int64]string, headSeq int64, headHash string, hasHead bool) (int64, []Problem, error) {
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
	case !hasHead && n > 0:
		add(Problem{pid, last, "head", "the chain has no recorded head"})
	case hasHead && (headSeq != last || headHash != string(lastHash)) && !(n == 0 && headSeq == 0):
		add(Problem{pid, last, "head", fmt.Sprintf("the chain ends at entry %d but its head says %d: entries were removed from or added to the end", last, headSeq)})
	}
	for cp := range checkpoints {
		if cp > last {
			add(Problem{pid, cp, "removed", fmt.Sprintf("a signed checkpoint vouches for entry %d, which is gone", cp)})
		}
	}
	return n, problems, nil
}
