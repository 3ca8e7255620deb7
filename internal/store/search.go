package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"alliance/internal/authz"
	"alliance/internal/domain"
	"alliance/internal/match"
)

// SearchFilter says what to look register records up by and which kinds
// to keep.
type SearchFilter struct {
	// Keys are the query's search keys (match.Query.Keys).
	Keys match.QueryKeys
	// FullText are the query's words for a prefix full-text search; none
	// skips it.
	FullText []string
	// Kinds keeps entities of these kinds; empty keeps all.
	Kinds []domain.EntityKind
	// Groups keeps organised crime groups.
	Groups bool
	// NoEntities leaves entities out (a search for groups only).
	NoEntities bool
	// Limit is the most candidates returned. Default DefaultCandidates.
	Limit int
}

// DefaultCandidates is how many candidates a search ranks by default.
const DefaultCandidates = 60

// Candidate sources: how much a record gains for each key it matches
// from each source, and the most postings read for each key (a key that
// reaches its cap weighs nothing: see searchHits). Sources are
// read from the search_key index alone (no record is touched), summed per
// record, and only the best-scoring shortlist is joined to its record
// under the access policy. Selective keys (two words by sound) weigh
// most, and an exact key (an identifier, a date of birth) more than any
// number of name keys: a name's words with several canonical forms (Sam:
// Samuel, Samantha) match several pair keys of one pair of words, and
// three of them outweighed a date of birth at 16. One word's phonetic
// codes, which find many, are read only when the query has no pair keys
// (one word).
var searchSources = []struct {
	name   string
	weight int
	limit  int
	keys   func(match.QueryKeys) []string
}{
	{"exact", 1000, 500, func(k match.QueryKeys) []string { return k.Exact }},
	{"pair", 6, 1000, func(k match.QueryKeys) []string { return k.Pair }},
	{"initial", 3, 500, func(k match.QueryKeys) []string { return k.Initial }},
	{"token", 2, 500, func(k match.QueryKeys) []string { return k.Token }},
	{"sound", 1, 500, func(k match.QueryKeys) []string {
		if len(k.Pair)+len(k.Initial) > 0 {
			return nil
		}
		return k.Fuzzy
	}},
}

// fullTextWeight and fullTextLimit are the full-text source's weight and
// cap.
const (
	fullTextWeight = 2
	fullTextLimit  = 1000
)

// shortlist is how many of the best-scoring records (by key weight) are
// first checked against the access policy. When fewer than the limit asked
// for survive and there were more, the search runs again over a shortlist
// four times longer, so records the actor may not see never take the
// place of ones they may.
const shortlist = 120

// SearchCandidate is a register record found by a search, with what the
// ranker needs.
type SearchCandidate struct {
	ID            string
	Node          domain.NodeKind   // entity or ocg
	Kind          domain.EntityKind // for an entity
	Reference     string
	Name          string
	Identifier    string // an entity's identifier
	OperationName string // a group's operation name
	Status        domain.OCGStatus
	DOB           *time.Time
	Aliases       []string
	Nicknames     []string
	Restricted    bool
	// Hits is the weight of the keys the record matched, counting only
	// sources that read all their postings (see searchHits).
	Hits int
	// Keyed says the record matched a key better than a sound-alike
	// (exact, pair, initial or token), whatever its source's cap.
	Keyed bool
}

// SearchCandidates returns the entities and groups actor may see (under
// authz.Search) that share keys with the query, the most matched first,
// at most f.Limit of them. Keys are weighed in the index; the shortlist of
// best-weighed records is joined to the records under the access policy's
// predicate, in the same statement, so nothing about a record actor may
// not see leaves the database, and the shortlist grows when hidden records
// crowded it.
//
// Full text is the fallback: it runs only when the keys found nothing
// better than a sound-alike (a typed prefix such as "Moha", part of an
// address), because prefix searches over common words read long lists.
func (s *Store) SearchCandidates(ctx context.Context, policy authz.Policy, actor domain.Actor, f SearchFilter) ([]SearchCandidate, error) {
	if f.Limit <= 0 {
		f.Limit = DefaultCandidates
	}
	words := f.FullText
	f.FullText = nil
	list, err := s.searchCandidates(ctx, policy, actor, f)
	if err != nil || len(words) == 0 {
		return list, err
	}
	for _, c := range list {
		if c.Keyed {
			return list, nil
		}
	}
	f.FullText = words
	return s.searchCandidates(ctx, policy, actor, f)
}

func (s *Store) searchCandidates(ctx context.Context, policy authz.Policy, actor domain.Actor, f SearchFilter) ([]SearchCandidate, error) {
	list, full, err := s.searchRun(ctx, policy, actor, f, 0)
	if err != nil || full == 0 || len(list) >= f.Limit {
		return list, err
	}
	// A source read as many postings as it may and fewer candidates than
	// asked for are visible, so records the actor may not see could have
	// taken places that visible ones would have had: read the sources
	// again under the policy, so that the visible records found do not
	// depend on hidden ones. Only the sources that were full are read
	// under the policy: the others already gave every posting. (With a
	// full list the reread is skipped: it costs a record lookup per
	// posting, and a full list means the query is too common for one more
	// weak match to matter.)
	list, _, err = s.searchRun(ctx, policy, actor, f, full)
	return list, err
}

// searchVis writes the visibility conditions of a search's candidates:
// which entities and groups the actor may find, and, for the sources
// whose postings are filtered (bit i of filtered for source i), the
// condition on those postings.
type searchVis struct {
	policy   authz.Policy
	actor    domain.Actor
	f        SearchFilter
	filtered int
}

func (v searchVis) entity(args *Args) string {
	if v.f.NoEntities {
		return "(1 = 0)"
	}
	vis := predicate(v.policy, v.actor, authz.Search, domain.KindEntity, "e", args)
	if len(v.f.Kinds) > 0 {
		ps := make([]string, len(v.f.Kinds))
		for i, k := range v.f.Kinds {
			ps[i] = args.Add(string(k))
		}
		vis = "(" + vis + " AND e.kind IN (" + strings.Join(ps, ", ") + "))"
	}
	return vis
}

func (v searchVis) ocg(args *Args) string {
	if !v.f.Groups {
		return "(1 = 0)"
	}
	return predicate(v.policy, v.actor, authz.Search, domain.KindOCG, "o", args)
}

// source is the condition a filtered source i puts on its postings.
func (v searchVis) source(args *Args, i int) string {
	if v.filtered&(1<<i) == 0 {
		return ""
	}
	return ` AND ((k.record_kind = 'entity' AND EXISTS (SELECT 1 FROM entity e WHERE e.id = k.record_id AND ` + v.entity(args) + `))
			OR (k.record_kind = 'ocg' AND EXISTS (SELECT 1 FROM ocg o WHERE o.id = k.record_id AND ` + v.ocg(args) + `)))`
}

// searchKey is one key a search reads from a source (src indexes
// searchSources; src == len(searchSources) is the full-text query, held
// in key), and whether it holds at least its source's cap of postings.
type searchKey struct {
	src  int
	key  string
	full bool
}

// sourceCap is how many postings source src reads for one key.
func sourceCap(src int) int {
	if src == len(searchSources) {
		return fullTextLimit
	}
	return searchSources[src].limit
}

// postings is the statement reading key k's postings (record IDs, in
// record order) for v, with the policy inside when k's source is
// filtered.
func (s *Store) postings(v searchVis, pid string, args *Args, k searchKey) string {
	if k.src < len(searchSources) {
		return `SELECT k.record_id FROM search_key k WHERE k.partnership_id = ` + pid + ` AND k.key = ` + args.Add(k.key) + v.source(args, k.src)
	}
	vis := ""
	if v.filtered&(1<<len(searchSources)) != 0 {
		vis = ` WHERE EXISTS (SELECT 1 FROM entity e WHERE e.id = ft.record_id AND ` + v.entity(args) + `)
			OR EXISTS (SELECT 1 FROM ocg o WHERE o.id = ft.record_id AND ` + v.ocg(args) + `)`
	}
	return `SELECT ft.record_id FROM (` + s.d.FullTextRecords(pid, args.Add(k.key)) + `) ft` + vis
}

// searchKeys returns the keys a search reads, each marked full when it
// holds at least its source's cap of postings, counted in one statement
// that reads postings from the index only (up to the cap of each), so the
// search itself need not count them.
func (s *Store) searchKeys(ctx context.Context, v searchVis) ([]searchKey, error) {
	var keys []searchKey
	for i, src := range searchSources {
		for _, k := range src.keys(v.f.Keys) {
			keys = append(keys, searchKey{src: i, key: k})
		}
	}
	if fq := s.d.FullTextQuery(v.f.FullText); fq != "" {
		keys = append(keys, searchKey{src: len(searchSources), key: fq})
	}
	if len(keys) == 0 {
		return nil, nil
	}
	var args Args
	pid := args.Add(v.actor.PartnershipID)
	parts := make([]string, len(keys))
	for j, k := range keys {
		parts[j] = fmt.Sprintf(`SELECT %d, (SELECT count(*) FROM (%s LIMIT %d) p%d)`, j, s.postings(v, pid, &args, k), sourceCap(k.src), j)
	}
	type count struct{ j, n int }
	counts, err := collect(ctx, s.stmts, "search keys", strings.Join(parts, "\nUNION ALL "), args.Values(), func(r *sql.Rows) (count, error) {
		var c count
		err := r.Scan(&c.j, &c.n)
		return c, err
	})
	if err != nil {
		return nil, err
	}
	for _, c := range counts {
		keys[c.j].full = c.n >= sourceCap(keys[c.j].src)
	}
	return keys, nil
}

// searchHits returns the hit query of a search reading keys with a
// shortlist of short: every posting of each key that is not full, with its
// source's weight, and the first short postings of each full key, weighing
// nothing. pid is the partnership's placeholder.
//
// Each key is read on its own, so a common key never crowds a rarer one of
// the same source out (the postings of "q:FRNS/RS" are read whatever
// "q:FRNX/RS" holds). A full key weighs nothing because the postings it
// gives are the oldest records with the key, not the best: weighing them
// would put old records before newer ones that match as well (at a million
// people, "Ioana Popesku" lost the one Ioana Popescu it meant to older
// Ioanas that a capped token key gave two more). Its records are still
// candidates, after every weighed one, oldest first, so its first short
// postings are all the shortlist could take; Keyed still marks them as
// matched by a key.
func (s *Store) searchHits(v searchVis, pid string, args *Args, keys []searchKey, short int) string {
	sels := make([]string, len(keys))
	for j, k := range keys {
		weight, keyed, limit := fullTextWeight, 0, sourceCap(k.src)
		if k.src < len(searchSources) {
			weight = searchSources[k.src].weight
			if searchSources[k.src].name != "sound" {
				keyed = 1
			}
		}
		if k.full {
			weight, limit = 0, short
		}
		sels[j] = fmt.Sprintf(`SELECT record_id, %d AS w, %d AS keyed FROM (%s LIMIT %d) s%d`, weight, keyed, s.postings(v, pid, args, k), limit, j)
	}
	return `WITH hit (record_id, w, keyed) AS (` + strings.Join(sels, "\nUNION ALL ") + `)`
}

// searchRun runs one candidate search. Keys are read from the index alone,
// except those of the sources whose bit (1 << source index; the full-text
// source is last) is set in filtered: they admit only postings of records
// the actor may see, under the policy, before their cap. full has the bits
// of the unfiltered sources with a full key.
func (s *Store) searchRun(ctx context.Context, policy authz.Policy, actor domain.Actor, f SearchFilter, filtered int) ([]SearchCandidate, int, error) {
	v := searchVis{policy: policy, actor: actor, f: f, filtered: filtered}
	if v.entity(&Args{}) == "(1 = 0)" && v.ocg(&Args{}) == "(1 = 0)" {
		return nil, 0, nil
	}
	keys, err := s.searchKeys(ctx, v)
	if err != nil || len(keys) == 0 {
		return nil, 0, err
	}
	full := 0
	for _, k := range keys {
		if k.full {
			full |= 1 << k.src
		}
	}
	for short := shortlist; ; short *= 4 {
		var args Args
		pid := args.Add(actor.PartnershipID)
		hit := s.searchHits(v, pid, &args, keys, short)
		partArgs := len(args.Values())
		entVis, oVis := v.entity(&args), v.ocg(&args)
		query := hit + `,
		cand (record_id, w, keyed) AS (SELECT record_id, sum(w), max(keyed) FROM hit GROUP BY record_id ORDER BY sum(w) DESC, record_id LIMIT ` + args.Add(short) + `)
		SELECT e.id, 'entity', e.kind, e.reference, e.name, e.identifier, '', '', e.dob, e.restricted, cand.w, cand.keyed
			FROM cand CROSS JOIN entity e WHERE e.id = cand.record_id AND ` + entVis + `
		UNION ALL
		SELECT o.id, 'ocg', '', o.reference, o.name, '', o.operation_name, o.status, NULL, o.restricted, cand.w, cand.keyed
			FROM cand CROSS JOIN ocg o WHERE o.id = cand.record_id AND ` + oVis + `
		ORDER BY 11 DESC, 4`
		// CROSS JOIN keeps the shortlist as the outer loop: SQLite's
		// planner, not knowing its size, would otherwise scan the
		// partnership's records and probe the shortlist.
		list, err := s.searchQuery(ctx, query, args.Values())
		if err != nil {
			return nil, 0, err
		}
		list = withTies(list, f.Limit)
		if len(list) >= f.Limit || short >= 16*shortlist {
			return list, full &^ filtered, s.loadCandidateAliases(ctx, list)
		}
		// Fewer visible than asked for: a longer shortlist helps when a
		// full key has more postings or the keys found more records than
		// the shortlist held (counted in a second statement, so that a
		// search that fills its list does not pay for the count).
		if full == 0 {
			var found int
			err = s.rdb.QueryRowContext(ctx, hit+` SELECT count(DISTINCT record_id) FROM hit`, args.Values()[:partArgs]...).Scan(&found)
			if err != nil {
				return nil, 0, fmt.Errorf("store: search: %w", err)
			}
			if found <= short {
				return list, 0, s.loadCandidateAliases(ctx, list)
			}
		}
	}
}

// withTies returns the first limit candidates of list (best weighed
// first) and those after them that weigh as much as the last, unless that
// is nothing: the keys cannot tell them apart, so the ranker, not the order
// of their references, chooses among them.
func withTies(list []SearchCandidate, limit int) []SearchCandidate {
	if len(list) <= limit || list[limit-1].Hits == 0 {
		// Weighing nothing, the records were found only by keys that
		// reached their caps: an arbitrary few of many, whichever the
		// ranker sees.
		return list[:min(limit, len(list))]
	}
	n := limit
	for n < len(list) && list[n].Hits == list[limit-1].Hits {
		n++
	}
	return list[:n]
}

// searchQuery runs a candidate query.
func (s *Store) searchQuery(ctx context.Context, query string, args []any) ([]SearchCandidate, error) {
	return collect(ctx, s.stmts, "search", query, args, func(r *sql.Rows) (SearchCandidate, error) {
		var c SearchCandidate
		var node, kind, status string
		var dob sql.NullString
		err := r.Scan(&c.ID, &node, &kind, &c.Reference, &c.Name, &c.Identifier, &c.OperationName, &status, &dob, &c.Restricted, &c.Hits, &c.Keyed)
		c.Node, c.Kind, c.Status, c.DOB = domain.NodeKind(node), domain.EntityKind(kind), domain.OCGStatus(status), day(dob)
		return c, err
	})
}

// loadCandidateAliases fills the aliases and nicknames of the entities
// among list in one query.
func (s *Store) loadCandidateAliases(ctx context.Context, list []SearchCandidate) error {
	var args Args
	idx := map[string]int{}
	var ps []string
	for i, c := range list {
		if c.Node == domain.NodeEntity {
			idx[c.ID] = i
			ps = append(ps, args.Add(c.ID))
		}
	}
	if len(ps) == 0 {
		return nil
	}
	type row struct{ id, kind, value string }
	rows, err := collect(ctx, s.stmts, "search aliases", `SELECT entity_id, kind, value FROM entity_alias WHERE entity_id IN (`+strings.Join(ps, ", ")+`)
		ORDER BY entity_id, kind, value`, args.Values(),
		func(r *sql.Rows) (row, error) { var x row; err := r.Scan(&x.id, &x.kind, &x.value); return x, err })
	if err != nil {
		return err
	}
	for _, a := range rows {
		c := &list[idx[a.id]]
		if a.kind == "alias" {
			c.Aliases = append(c.Aliases, a.value)
		} else {
			c.Nicknames = append(c.Nicknames, a.value)
		}
	}
	return nil
}
