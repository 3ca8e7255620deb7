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
	var args authz.Args
	pid := args.Add(actor.PartnershipID)
	var parts []string
	for i, src := range searchSources {
		keys := src.keys(f.Keys)
		if len(keys) == 0 {
			continue
		}
		ps := make([]string, len(keys))
		for j, k := range keys {
			ps[j] = args.Add(k)
		}
		parts = append(parts, fmt.Sprintf(`SELECT record_id, %d AS w FROM (SELECT k.record_id FROM search_key k
			WHERE k.partnership_id = %s AND k.key IN (%s) LIMIT %d) s%d`, src.weight, pid, strings.Join(ps, ", "), src.limit, i))
	}
	if fq := s.d.FullTextQuery(f.FullText); fq != "" {
		q := args.Add(fq)
		parts = append(parts, fmt.Sprintf(`SELECT record_id, %d AS w FROM (SELECT ft.record_id FROM (%s) ft LIMIT %d) sft`,
			fullTextWeight, s.d.FullTextRecords(pid, q), fullTextLimit))
	}
	if len(parts) == 0 {
		return nil, nil
	}
	partArgs := len(args.Values())
	entVis := "(1 = 0)"
	if !f.NoEntities {
		entVis = policy.Predicate(actor, authz.Search, domain.KindEntity, "e", &args)
		if len(f.Kinds) > 0 {
			ps := make([]string, len(f.Kinds))
			for i, k := range f.Kinds {
				ps[i] = args.Add(string(k))
			}
			entVis = "(" + entVis + " AND e.kind IN (" + strings.Join(ps, ", ") + "))"
		}
	}
	ocgVis := "(1 = 0)"
	if f.Groups {
		ocgVis = policy.Predicate(actor, authz.Search, domain.KindOCG, "o", &args)
	}
	if entVis == "(1 = 0)" && ocgVis == "(1 = 0)" {
		return nil, nil
	}
	limit := args.Add(f.Limit)
	for short := shortlist; ; short *= 4 {
		cargs := args
		query := `WITH hit (record_id, w) AS (` + strings.Join(parts, "\nUNION ALL ") + `),
		cand (record_id, w) AS (SELECT record_id, sum(w) FROM hit GROUP BY record_id ORDER BY sum(w) DESC, record_id LIMIT ` + cargs.Add(short) + `)
		SELECT e.id, 'entity', e.kind, e.reference, e.name, e.identifier, '', '', e.dob, e.restricted, cand.w, (SELECT count(*) FROM cand)
			FROM cand CROSS JOIN entity e WHERE e.id = cand.record_id AND ` + entVis + `
		UNION ALL
		SELECT o.id, 'ocg', '', o.reference, o.name, '', o.operation_name, o.status, NULL, o.restricted, cand.w, (SELECT count(*) FROM cand)
			FROM cand CROSS JOIN ocg o WHERE o.id = cand.record_id AND ` + ocgVis + `
		ORDER BY 11 DESC, 4
		LIMIT ` + limit
		// CROSS JOIN keeps the shortlist as the outer loop: SQLite's
		// planner, not knowing its size, would otherwise scan the
		// partnership's records and probe the shortlist.
		list, shortN, err := s.searchQuery(ctx, query, cargs.Values())
		if err != nil {
			return nil, err
		}
		if len(list) == 0 && short < 16*shortlist {
			// Nothing visible: see whether the shortlist was full.
			err = s.rdb.QueryRowContext(ctx, `WITH hit (record_id, w) AS (`+strings.Join(parts, "\nUNION ALL ")+`)
				SELECT count(DISTINCT record_id) FROM hit`, args.Values()[:partArgs]...).Scan(&shortN)
			if err != nil {
				return nil, fmt.Errorf("store: search: %w", err)
			}
		}
		if len(list) >= f.Limit || shortN < short || short >= 16*shortlist {
			return list, s.loadCandidateAliases(ctx, list)
		}
	}
}

// searchQuery runs a candidate query, returning the candidates and the
// length of the shortlist they came from.
func (s *Store) searchQuery(ctx context.Context, query string, args []any) ([]SearchCandidate, int, error) {
	n := 0
	list, err := collect(ctx, s.rdb, "search", query, args, func(r *sql.Rows) (SearchCandidate, error) {
		var c SearchCandidate
		var node, kind, status string
		var dob sql.NullString
		err := r.Scan(&c.ID, &node, &kind, &c.Reference, &c.Name, &c.Identifier, &c.OperationName, &status, &dob, &c.Restricted, &c.Hits, &n)
		c.Node, c.Kind, c.Status, c.DOB = domain.NodeKind(node), domain.EntityKind(kind), domain.OCGStatus(status), day(dob)
		return c, err
	})
	return list, n, err
}

// loadCandidateAliases fills the aliases and nicknames of the entities
// among list in one query.
func (s *Store) loadCandidateAliases(ctx context.Context, list []SearchCandidate) error {
	var args authz.Args
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
	rows, err := collect(ctx, s.rdb, "search aliases", `SELECT entity_id, kind, value FROM entity_alias WHERE entity_id IN (`+strings.Join(ps, ", ")+`)
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
