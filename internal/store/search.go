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
// from each source, and the most postings read from each. Sources are
// read from the search_key index alone (no record is touched), summed per
// record, and only the best-scoring shortlist is joined to its record
// under the access policy. Selective keys (identifiers, dates of birth,
// two words by sound) weigh most; one word's phonetic codes, which find
// many, are read only when the query has no pair keys (one word).
var searchSources = []struct {
	name   string
	weight int
	limit  int
	keys   func(match.QueryKeys) []string
}{
	{"exact", 16, 500, func(k match.QueryKeys) []string { return k.Exact }},
	{"pair", 6, 2000, func(k match.QueryKeys) []string { return k.Pair }},
	{"initial", 3, 1500, func(k match.QueryKeys) []string { return k.Initial }},
	{"token", 2, 1500, func(k match.QueryKeys) []string { return k.Token }},
	{"sound", 1, 1000, func(k match.QueryKeys) []string {
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
	// Hits is the weight of the keys the record matched.
	Hits int
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
		if c.Hits > searchSources[len(searchSources)-1].weight {
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

// searchHits returns the parts of a search's hit query, one for each
// source the filter's keys reach and one for full text, with each part's
// cap and bit as CASE arms (by source number). pid is the partnership's
// placeholder.
func (s *Store) searchHits(v searchVis, pid string, args *Args) (parts, caps, bits []string) {
	for i, src := range searchSources {
		keys := src.keys(v.f.Keys)
		if len(keys) == 0 {
			continue
		}
		ps := make([]string, len(keys))
		for j, k := range keys {
			ps[j] = args.Add(k)
		}
		parts = append(parts, fmt.Sprintf(`SELECT record_id, %d AS w, %d AS src FROM (SELECT k.record_id FROM search_key k
			WHERE k.partnership_id = %s AND k.key IN (%s)%s LIMIT %d) s%d`, src.weight, i, pid, strings.Join(ps, ", "), v.source(args, i), src.limit, i))
		caps = append(caps, fmt.Sprintf("WHEN %d THEN %d", i, src.limit))
		bits = append(bits, fmt.Sprintf("WHEN %d THEN %d", i, 1<<i))
	}
	if fq := s.d.FullTextQuery(v.f.FullText); fq != "" {
		q := args.Add(fq)
		vis := ""
		if v.filtered&(1<<len(searchSources)) != 0 {
			vis = ` WHERE EXISTS (SELECT 1 FROM entity e WHERE e.id = ft.record_id AND ` + v.entity(args) + `)
				OR EXISTS (SELECT 1 FROM ocg o WHERE o.id = ft.record_id AND ` + v.ocg(args) + `)`
		}
		parts = append(parts, fmt.Sprintf(`SELECT record_id, %d AS w, %d AS src FROM (SELECT ft.record_id FROM (%s) ft%s LIMIT %d) sft`,
			fullTextWeight, len(searchSources), s.d.FullTextRecords(pid, q), vis, fullTextLimit))
		caps = append(caps, fmt.Sprintf("WHEN %d THEN %d", len(searchSources), fullTextLimit))
		bits = append(bits, fmt.Sprintf("WHEN %d THEN %d", len(searchSources), 1<<len(searchSources)))
	}
	return parts, caps, bits
}

// searchRun runs one candidate search. Sources read postings from the
// index alone, except those whose bit (1 << source index; the full-text
// source is last) is set in filtered: they admit only postings of records
// the actor may see, under the policy, before their cap. full has the bits
// of the unfiltered sources that read as many postings as their cap.
func (s *Store) searchRun(ctx context.Context, policy authz.Policy, actor domain.Actor, f SearchFilter, filtered int) ([]SearchCandidate, int, error) {
	var args Args
	v := searchVis{policy: policy, actor: actor, f: f, filtered: filtered}
	pid := args.Add(actor.PartnershipID)
	parts, caps, bits := s.searchHits(v, pid, &args)
	if len(parts) == 0 {
		return nil, 0, nil
	}
	partArgs := len(args.Values())
	entVis, oVis := v.entity(&args), v.ocg(&args)
	if entVis == "(1 = 0)" && oVis == "(1 = 0)" {
		return nil, 0, nil
	}
	hit := `WITH hit (record_id, w, src) AS (` + strings.Join(parts, "\nUNION ALL ") + `)`
	// full counts the sources that read as many postings as their cap.
	full := `(SELECT coalesce(sum(CASE src ` + strings.Join(bits, " ") + ` END), 0) FROM (SELECT src FROM hit GROUP BY src
		HAVING count(*) >= CASE src ` + strings.Join(caps, " ") + ` END) fs)`
	limit := args.Add(f.Limit)
	for short := shortlist; ; short *= 4 {
		cargs := args
		query := hit + `,
		cand (record_id, w) AS (SELECT record_id, sum(w) FROM hit GROUP BY record_id ORDER BY sum(w) DESC, record_id LIMIT ` + cargs.Add(short) + `)
		SELECT e.id, 'entity', e.kind, e.reference, e.name, e.identifier, '', '', e.dob, e.restricted, cand.w
			FROM cand CROSS JOIN entity e WHERE e.id = cand.record_id AND ` + entVis + `
		UNION ALL
		SELECT o.id, 'ocg', '', o.reference, o.name, '', o.operation_name, o.status, NULL, o.restricted, cand.w
			FROM cand CROSS JOIN ocg o WHERE o.id = cand.record_id AND ` + oVis + `
		ORDER BY 11 DESC, 4
		LIMIT ` + limit
		// CROSS JOIN keeps the shortlist as the outer loop: SQLite's
		// planner, not knowing its size, would otherwise scan the
		// partnership's records and probe the shortlist.
		list, err := s.searchQuery(ctx, query, cargs.Values())
		if err != nil {
			return nil, 0, err
		}
		if len(list) >= f.Limit {
			return list, 0, s.loadCandidateAliases(ctx, list)
		}
		// Fewer visible than asked for: count what the sources found and
		// which were full, in a second statement, so that a search that
		// fills its list does not pay for these counts (they cost as much
		// as the shortlist itself).
		var found, fullN int
		err = s.rdb.QueryRowContext(ctx, hit+` SELECT count(DISTINCT record_id), `+full+` FROM hit`, args.Values()[:partArgs]...).Scan(&found, &fullN)
		if err != nil {
			return nil, 0, fmt.Errorf("store: search: %w", err)
		}
		if found <= short || short >= 16*shortlist {
			return list, fullN &^ filtered, s.loadCandidateAliases(ctx, list)
		}
	}
}

// searchQuery runs a candidate query.
func (s *Store) searchQuery(ctx context.Context, query string, args []any) ([]SearchCandidate, error) {
	return collect(ctx, s.stmts, "search", query, args, func(r *sql.Rows) (SearchCandidate, error) {
		var c SearchCandidate
		var node, kind, status string
		var dob sql.NullString
		err := r.Scan(&c.ID, &node, &kind, &c.Reference, &c.Name, &c.Identifier, &c.OperationName, &status, &dob, &c.Restricted, &c.Hits)
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
