package audit

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"database/sql"
	"encoding/hex"
	"fmt"
	"strconv"
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

type chain struct {
	pid         string
	expect      int64
	prevHash    string
	checkpoints map[int64]string // seq → hash, from verified signatures
}

// Verify walks every chain in db: it recomputes each entry's hash (an edited
// entry no longer matches), checks positions run 1, 2, 3 … without gaps (a
// deleted entry leaves one), checks each entry names its predecessor's hash
// (an inserted or reordered entry breaks the link), checks the chain ends
// where audit_head says, and checks every checkpoint's Ed25519 signature
// under pub and that the chain passes through the hash it signed (a chain
// rewritten from some point on, hashes and all, no longer does). It reads
// one row at a time, so memory does not grow with the log.
func Verify(ctx context.Context, db *sql.DB, order string, pub ed25519.PublicKey) (Report, error) {
	start := time.Now()
	var rep Report
	add := func(p Problem) {
		if len(rep.Problems) < 100 {
			rep.Problems = append(rep.Problems, p)
		}
	}
	// Checkpoints first: they are few.
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
			add(Problem{pid, seq, "checkpoint", fmt.Sprintf("signed with key %s, not this deployment's key %s", kid, keyID)})
		case !ed25519.Verify(pub, checkpointMessage(pid, seq, hash), raw):
			add(Problem{pid, seq, "checkpoint", "signature does not match: the checkpoint was altered"})
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

	heads := map[string][2]string{}
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
		heads[pid] = [2]string{fmt.Sprint(seq), hash}
	}
	if err := hrows.Err(); err != nil {
		hrows.Close()
		return rep, err
	}
	hrows.Close()

	erows, err := db.QueryContext(ctx, `SELECT CAST(partnership_id AS text), seq, at_us, actor_id, actor_name, agency_id, agency_name, operation,
		record_type, record_ids, record_label, fields, justification, recipients, isa_id, request_id, client_addr, prev_hash, hash
		FROM audit_event ORDER BY `+order)
	if err != nil {
		return rep, fmt.Errorf("audit: read log: %w", err)
	}
	defer erows.Close()
	// Chains may interleave in the scan (SQLite reads in insertion order);
	// each keeps its own state.
	chains := map[string]*chain{}
	var seen []*chain
	finish := func(c *chain) {
		rep.Chains++
		h, ok := heads[c.pid]
		last := c.expect - 1
		switch {
		case !ok:
			add(Problem{c.pid, last, "head", "the chain has no recorded head"})
		case h[0] != fmt.Sprint(last) || h[1] != c.prevHash:
			add(Problem{c.pid, last, "head", fmt.Sprintf("the chain ends at entry %d but its head says %s: entries were removed from or added to the end", last, h[0])})
		}
		for seq := range c.checkpoints {
			if seq > last {
				add(Problem{c.pid, seq, "removed", fmt.Sprintf("a signed checkpoint vouches for entry %d, which is gone", seq)})
			}
		}
		delete(heads, c.pid)
	}
	var c *chain
	// Every text column is read as raw bytes and hashed where it lies, so a
	// row costs no allocations: the log can be far larger than memory, and
	// verifying it is bound by reading, not by the collector.
	var (
		pid, actorID, actorName, agencyID, agencyName, op, rtype, ids, label, fields sql.RawBytes
		just, recip, isa, reqID, addr, prev, stored                                  sql.RawBytes
		seq, us                                                                      int64
		seqBuf, usBuf                                                                []byte
		sum                                                                          = make([]byte, 0, 32)
		hexSum                                                                       = make([]byte, 64)
		lastHash                                                                     = make([]byte, 0, 64)
	)
	for erows.Next() {
		if err := erows.Scan(&pid, &seq, &us, &actorID, &actorName, &agencyID, &agencyName, &op, &rtype, &ids, &label, &fields,
			&just, &recip, &isa, &reqID, &addr, &prev, &stored); err != nil {
			return rep, fmt.Errorf("audit: read entry: %w", err)
		}
		if c == nil || c.pid != string(pid) {
			if c != nil {
				c.prevHash = string(lastHash)
			}
			var ok bool
			if c, ok = chains[string(pid)]; !ok {
				c = &chain{pid: string(pid), expect: 1, prevHash: genesis, checkpoints: cps[string(pid)]}
				chains[c.pid] = c
				seen = append(seen, c)
			}
			lastHash = append(lastHash[:0], c.prevHash...)
		}
		rep.Entries++
		seqBuf = strconv.AppendInt(seqBuf[:0], seq, 10)
		usBuf = strconv.AppendInt(usBuf[:0], us, 10)
		sum = hashParts(sum[:0], pid, seqBuf, usBuf, actorID, actorName, agencyID, agencyName, op, rtype, ids, label, fields,
			just, recip, isa, reqID, addr, prev)
		hex.Encode(hexSum, sum)
		switch {
		case !bytes.Equal(hexSum, stored):
			add(Problem{c.pid, seq, "changed", "the entry's content no longer matches its hash"})
		case seq > c.expect:
			add(Problem{c.pid, c.expect, "removed", fmt.Sprintf("entries %d to %d are missing", c.expect, seq-1)})
		case seq < c.expect:
			add(Problem{c.pid, seq, "inserted", "the entry was written out of order: an entry was inserted afterwards"})
		case !bytes.Equal(prev, lastHash):
			add(Problem{c.pid, seq, "inserted", "the entry does not follow the one before it: an entry was inserted, replaced or reordered"})
		}
		if want, ok := c.checkpoints[seq]; ok && want != string(stored) {
			add(Problem{c.pid, seq, "changed", "the chain no longer passes through the hash a signed checkpoint recorded: the log was rewritten"})
		}
		c.expect = seq + 1
		lastHash = append(lastHash[:0], stored...)
	}
	if c != nil {
		c.prevHash = string(lastHash)
	}
	for _, ch := range seen {
		finish(ch)
	}
	if err := erows.Err(); err != nil {
		return rep, fmt.Errorf("audit: read log: %w", err)
	}
	for pid, h := range heads {
		if h[0] != "0" {
			add(Problem{pid, 0, "removed", "the head records entries but none remain"})
		}
	}
	rep.Elapsed = time.Since(start)
	return rep, nil
}
