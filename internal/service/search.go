package service

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"alliance/internal/audit"
	"alliance/internal/authz"
	"alliance/internal/domain"
	"alliance/internal/match"
	"alliance/internal/store"
)

// Search finds people, businesses, locations, vehicles, phones and groups
// on the OCG register by name, alias, nickname, reference, registration,
// number or date of birth, forgiving spelling, among the records the
// actor may see.
type Search struct {
	policyUser
	st   *store.Store
	log  *slog.Logger
	alog *audit.Log
}

// NewSearch returns the service. The results it shows are logged to alog
// as consultations (the search words are not: they may be personal data).
func NewSearch(st *store.Store, log *slog.Logger, alog *audit.Log) *Search {
	if log == nil {
		log = slog.Default()
	}
	return &Search{st: st, log: log, alog: alog}
}

// KindGroup is the search kind of organised crime groups; the others are
// the entity kinds.
const KindGroup = "group"

// SearchKinds lists the kinds a search may be limited to, in the order
// forms show them.
var SearchKinds = []string{string(domain.EntityPerson), KindGroup, string(domain.EntityBusiness), string(domain.EntityVehicle),
	string(domain.EntityPhone), string(domain.EntityLocation)}

// SearchKindLabel is a search kind as people say it.
func SearchKindLabel(k string) string {
	if k == KindGroup {
		return "Group"
	}
	return domain.EntityKind(k).Label()
}

// SearchInput is what a user searches for. DOB is a date of birth as
// typed (22/11/1990 or 1990-11-22); Kinds limits the kinds of record
// (SearchKinds values; none means all).
type SearchInput struct {
	Text  string
	DOB   string
	Kinds []string
}

// SearchPerPage is how many results a page shows.
const SearchPerPage = 20

// SearchResult is one record found.
type SearchResult struct {
	ID        string
	Kind      string // a SearchKinds value
	Reference string
	Name      string
	// Matched is the alias, nickname or operation name that matched, when
	// it was not the record's name; MatchedAs says which it is.
	Matched, MatchedAs string
	DOB                *time.Time
	Restricted         bool
	Status             domain.OCGStatus // a group's
	Score              float64
}

// Href is the record's page.
func (r SearchResult) Href() string {
	if r.Kind == KindGroup {
		return "/ocgs/" + r.ID
	}
	return "/people/" + r.ID
}

// KindLabel is the record's kind as people say it.
func (r SearchResult) KindLabel() string { return SearchKindLabel(r.Kind) }

// SearchPage is one page of results, best first.
type SearchPage struct {
	Items       []SearchResult
	Total       int
	Page, Pages int
	PerPage     int
	// Capped says the search found more candidates than it ranks
	// (store.DefaultCandidates): a narrower search may find others.
	Capped bool
	// Unindexed is how many people and other entities the actor may see
	// were imported but are not yet searchable (see SearchIndexer): while
	// it is above 0 a search may miss them.
	Unindexed int
}

// Search returns page (from 1) of the records a may see that match in,
// best first. A bad date of birth, an unknown kind or nothing to search
// for is a *domain.ValidationError naming the field (q, dob or kind).
func (s *Search) Search(ctx context.Context, a domain.Actor, in SearchInput, page int) (SearchPage, error) {
	q, f, err := parseSearch(in, domain.UKDay(s.st.Now()))
	if err != nil {
		return SearchPage{}, err
	}
	why, err := listPurpose(a, "Search of the OCG register")
	if err != nil {
		return SearchPage{}, err
	}
	// A partner system searches only under an agreement in force, even
	// when nothing would be found.
	if _, _, err := (readLog{st: s.st, alog: s.alog}).systemRead(ctx, a); err != nil {
		return SearchPage{}, err
	}
	policy, err := s.policyOf(ctx, s.st)
	if err != nil {
		return SearchPage{}, err
	}
	entities := !f.NoEntities && policy.Allowed(a, authz.Search, domain.KindEntity)
	groups := f.Groups && policy.Allowed(a, authz.Search, domain.KindOCG)
	if !entities && !groups {
		return SearchPage{}, domain.ErrForbidden
	}
	f.NoEntities, f.Groups = !entities, groups
	cands, err := s.st.SearchCandidates(ctx, policy, a, f)
	if err != nil {
		return SearchPage{}, err
	}
	results := Rank(q, cands)
	page = max(page, 1)
	res := SearchPage{Total: len(results), Page: page, PerPage: SearchPerPage, Capped: len(cands) >= store.DefaultCandidates}
	if entities {
		if res.Unindexed, err = s.st.PendingSearch(ctx, policy, a); err != nil {
			return SearchPage{}, err
		}
	}
	res.Pages = max((res.Total+SearchPerPage-1)/SearchPerPage, 1)
	if start := (page - 1) * SearchPerPage; start < len(results) {
		res.Items = results[start:min(start+SearchPerPage, len(results))]
	}
	if err := s.logShown(ctx, a, in, res.Items, page, why); err != nil {
		return SearchPage{}, err
	}
	return res, nil
}

// searchLabel is how a search reads in the audit log: its terms as typed
// (a data protection officer looking into misuse needs them), the date of
// birth and kinds asked for, and the page.
func searchLabel(in SearchInput, page int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "search for %q", strings.TrimSpace(in.Text))
	if d := strings.TrimSpace(in.DOB); d != "" {
		fmt.Fprintf(&b, " born %q", d)
	}
	if len(in.Kinds) > 0 {
		fmt.Fprintf(&b, " among %s", strings.Join(in.Kinds, ", "))
	}
	fmt.Fprintf(&b, ", results page %d", page)
	return b.String()
}

// parseSearch validates in (a date of birth must be before now) and turns it into a ranking query and a store
// filter.
func parseSearch(in SearchInput, now time.Time) (match.Query, store.SearchFilter, error) {
	verr := &domain.ValidationError{}
	text := strings.TrimSpace(in.Text)
	if utf8.RuneCountInString(text) > 200 {
		verr.Add("q", "Search for 200 characters or fewer")
	}
	var dob *time.Time
	if d := strings.TrimSpace(in.DOB); d != "" {
		t, ok := domain.ParseDay(d)
		switch {
		case !ok:
			verr.Add("dob", "Date of birth must be a real date, like 22/11/1990")
		case t.Year() < 1900 || t.After(now):
			verr.Add("dob", "Date of birth must be in the past, like 22/11/1990")
		default:
			dob = &t
		}
	}
	f := store.SearchFilter{NoEntities: len(in.Kinds) > 0}
	for _, k := range in.Kinds {
		k = strings.ToLower(strings.TrimSpace(k))
		switch {
		case k == KindGroup || k == "ocg":
			f.Groups = true
		case slices.Contains(SearchKinds, k):
			f.NoEntities = false
			f.Kinds = append(f.Kinds, domain.EntityKind(k))
		default:
			verr.Add("kind", "Choose kinds from: %s", strings.Join(SearchKinds, ", "))
		}
	}
	if len(in.Kinds) == 0 {
		f.Groups = true
	}
	q := match.NewQuery(text, dob)
	if q.Empty() && !verr.Has("dob") {
		verr.Add("q", "Enter a name, reference, registration or phone number, or a date of birth")
	}
	if err := verr.Err(); err != nil {
		return match.Query{}, store.SearchFilter{}, err
	}
	f.Keys = q.Keys()
	if len(text) > 0 {
		f.FullText = q.FullText()
	}
	return q, f, nil
}

// Rank scores candidates against q and returns those good enough to show,
// best first (ties by reference).
func Rank(q match.Query, cands []store.SearchCandidate) []SearchResult {
	out := make([]SearchResult, 0, len(cands))
	for _, c := range cands {
		names := []string{c.Name}
		names = append(names, c.Aliases...)
		names = append(names, c.Nicknames...)
		if c.OperationName != "" {
			names = append(names, c.OperationName)
		}
		ids := []string{c.Reference}
		if c.Identifier != "" {
			ids = append(ids, c.Identifier)
		}
		if c.Kind == domain.EntityVehicle || c.Kind == domain.EntityPhone {
			ids = append(ids, c.Name)
		}
		m := q.Score(match.Candidate{Names: names, Identifiers: ids, DOB: c.DOB})
		if !m.OK() {
			continue
		}
		r := SearchResult{ID: c.ID, Kind: string(c.Kind), Reference: c.Reference, Name: c.Name, DOB: c.DOB, Restricted: c.Restricted,
			Status: c.Status, Score: m.Score}
		if c.Node == domain.NodeOCG {
			r.Kind = KindGroup
			r.DOB = nil
		}
		if m.Name > 0 {
			r.Matched = names[m.Name]
			switch {
			case m.Name <= len(c.Aliases):
				r.MatchedAs = "Alias"
			case m.Name <= len(c.Aliases)+len(c.Nicknames):
				r.MatchedAs = "Nickname"
			default:
				r.MatchedAs = "Operation"
			}
		}
		out = append(out, r)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		return out[i].Reference < out[j].Reference
	})
	return out
}

// logShown records the search in the audit log with its terms (see
// searchLabel): the consultation of the records the page shows, one entry
// per record type, in one transaction, or, when it shows none, one entry
// saying so; for a partner system's token each is a disclosure under its
// sharing agreement. The terms go to the audit log only, never to the
// process log.
func (s *Search) logShown(ctx context.Context, a domain.Actor, in SearchInput, items []SearchResult, page int, why string) error {
	rl := readLog{st: s.st, alog: s.alog}
	isa, system, err := rl.systemRead(ctx, a)
	if err != nil {
		return err
	}
	byType := map[string][]string{}
	for _, it := range items {
		t := string(domain.KindEntity)
		if it.Kind == KindGroup {
			t = string(domain.KindOCG)
		}
		byType[t] = append(byType[t], it.ID)
	}
	label := searchLabel(in, page)
	return s.st.InGroupTx(ctx, a.PartnershipID, func(ctx context.Context, tx *sql.Tx) error {
		if len(items) == 0 {
			// A search that shows nothing is logged too, with its terms:
			// looking someone up is a use of the register whatever it
			// finds.
			e := audit.Entry{Operation: audit.Consultation, RecordType: "search", Label: label + ": nothing shown", Justification: why}
			return rl.append(ctx, tx, a, e, isa, system)
		}
		for _, t := range []string{string(domain.KindEntity), string(domain.KindOCG)} {
			ids := byType[t]
			if len(ids) == 0 {
				continue
			}
			e := audit.Entry{Operation: audit.Consultation, RecordType: t, RecordIDs: ids, Label: label, Justification: why}
			if err := rl.append(ctx, tx, a, e, isa, system); err != nil {
				return err
			}
		}
		return nil
	})
}
