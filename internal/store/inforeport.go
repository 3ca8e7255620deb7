package store

import (
	"regexp"
	"slices"
	"time"
	"unicode"

	"alliance/internal/match"
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"alliance/internal/authz"
	"alliance/internal/domain"
	"alliance/internal/store/dialect"
)

// InsertInfoReport stores r with its handling conditions and need-to-know
// grants, filling ID, times and reference when empty.
func (s *Store) InsertInfoReport(ctx context.Context, tx *sql.Tx, r *domain.InfoReport) error {
	now := s.Now()
	if r.ID == "" {
		r.ID = s.NewID()
	}
	if r.CreatedAt.IsZero() {
		r.CreatedAt = now
	}
	if r.UpdatedAt.IsZero() {
		r.UpdatedAt = r.CreatedAt
	}
	if r.Reference == "" {
		n, err := s.nextNumber(ctx, tx, r.Marking.PartnershipID, string(domain.KindInfoReport))
		if err != nil {
			return err
		}
		r.Reference = fmt.Sprintf("IR-%d-%06d", r.CreatedAt.Year(), n)
	}
	m := r.Marking
	_, err := tx.ExecContext(ctx, `INSERT INTO info_report (id, partnership_id, reference, title, body, source_grade, intel_grade,
		handling_code, handling_conditions, classification, restricted, origin_agency_id, area_id, created_by, created_at, updated_at, sanitised_from,
		grading_scheme, legacy_handling)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)`,
		r.ID, m.PartnershipID, r.Reference, r.Title, r.Body, r.SourceGrade, r.IntelGrade, string(m.Handling), r.HandlingConditions,
		string(m.Classification), m.Restricted, m.OriginAgencyID, nullIfEmpty(r.AreaID), r.CreatedBy, r.CreatedAt, r.UpdatedAt, nullIfEmpty(r.SanitisedFrom),
		schemeOf(r), r.LegacyHandling)
	if err != nil {
		return s.mapInsertErr(fmt.Errorf("store: insert info report: %w", err), "information report")
	}
	return s.insertMarkingRows(ctx, tx, r.ID, m)
}

// insertMarkingRows writes a record's handling conditions and grants.
func (s *Store) insertMarkingRows(ctx context.Context, tx *sql.Tx, recordID string, m domain.Marking) error {
	var conds [][]any
	for _, a := range m.ConditionAgencies {
		conds = append(conds, []any{m.PartnershipID, recordID, a, nil})
	}
	for _, t := range m.ConditionTypes {
		conds = append(conds, []any{m.PartnershipID, recordID, nil, string(t)})
	}
	if err := dialect.InsertRows(ctx, s.d, tx, "record_condition", []string{"partnership_id", "record_id", "agency_id", "agency_type"}, conds); err != nil {
		return err
	}
	var grants [][]any
	for _, u := range m.NamedUsers {
		grants = append(grants, []any{m.PartnershipID, recordID, u, nil})
	}
	for _, a := range m.NamedAgencies {
		grants = append(grants, []any{m.PartnershipID, recordID, nil, a})
	}
	return dialect.InsertRows(ctx, s.d, tx, "record_grant", []string{"partnership_id", "record_id", "user_id", "agency_id"}, grants)
}

// InfoReportQuery reads information reports for one actor. Its constructor
// puts the access policy's predicate first, so every list, count, search,
// page and export built on it sees exactly what the policy allows.
type InfoReportQuery struct {
	s      *Store
	args   Args
	conds  []string
	policy authz.Policy
	actor  domain.Actor
	// text and links are a search's two ways to match (WithSearch): a
	// condition on r, the full-text match, and a SELECT of the ids of the
	// reports linked to a matching record. They are asked apart, each with
	// the rest of the query and its own best plan, and the two answers
	// joined (searchIDs): one statement with "text OR links" can use no
	// index for either.
	text, links string
	act         authz.Action
}

// NewInfoReportQuery starts a query for actor doing act under policy.
func (s *Store) NewInfoReportQuery(policy authz.Policy, actor domain.Actor, act authz.Action) *InfoReportQuery {
	q := &InfoReportQuery{s: s, policy: policy, actor: actor, act: act}
	q.conds = append(q.conds, predicate(policy, actor, act, domain.KindInfoReport, "r", &q.args))
	return q
}

// WithID limits the query to one record. A malformed id matches nothing.
func (q *InfoReportQuery) WithID(id string) *InfoReportQuery {
	if _, err := uuid.Parse(id); err != nil {
		q.conds = append(q.conds, "(1 = 0)")
		return q
	}
	q.conds = append(q.conds, "r.id = "+q.args.Add(id))
	return q
}

// WithReference limits the query to one reference.
func (q *InfoReportQuery) WithReference(ref string) *InfoReportQuery {
	q.conds = append(q.conds, "r.reference = "+q.args.Add(ref))
	return q
}

// WithSearch keeps reports whose reference, title, text or grading ("1B",
// "1B P", "B35", "5x5x5") hold every word of term (each as a prefix, in
// any order), through the engine's full-text index, or that are linked to
// a group or entity the actor may see whose name, reference or alias
// holds them, or whose reference is term: a link to a record the actor may
// not see never matches, so a search cannot reveal it. A term shaped like
// a reference (IR-2026-000042, NIM/2012/004417) is looked up as a
// reference of a report, group or entity, not as words. A term with no
// letters or digits matches nothing.
func (q *InfoReportQuery) WithSearch(term string) *InfoReportQuery {
	if strings.TrimSpace(term) == "" {
		return q
	}
	fq := q.s.d.FullTextQuery(reportWords(term))
	if fq == "" {
		q.conds = append(q.conds, "(1 = 0)")
		return q
	}
	pid := q.args.Add(q.actor.PartnershipID)
	ref := strings.TrimSpace(term)
	refs := q.args.Add(ref) + ", " + q.args.Add(strings.ToUpper(ref))
	// The register records the reference names, or the words; the links
	// from them; each record's own policy.
	cands := `SELECT co.id FROM ocg co WHERE co.partnership_id = ` + pid + ` AND co.reference IN (` + refs + `)
		UNION SELECT ce.id FROM entity ce WHERE ce.partnership_id = ` + pid + ` AND ce.reference IN (` + refs + `)`
	if referenceShape.MatchString(ref) {
		// A reference (IR-2026-000042, OCG-2026-0042, NIM/2012/004417) is
		// looked up as one: as words, its prefix (IR) is in every report.
		q.text = `r.reference IN (` + refs + `)`
	} else {
		text := q.args.Add(fq)
		q.text = q.s.d.ReportTextMatch("r", text)
		cands = q.s.d.FullTextRecords(pid, text) + `
		UNION ` + cands
	}
	ocg := predicate(q.policy, q.actor, authz.View, domain.KindOCG, "lo", &q.args)
	ent := predicate(q.policy, q.actor, authz.View, domain.KindEntity, "le", &q.args)
	q.links = fmt.Sprintf(`SELECT l.report_id FROM report_link l CROSS JOIN ocg lo
			WHERE l.node_id IN (%[1]s) AND l.node_kind = 'ocg' AND lo.id = l.node_id AND %[2]s
		UNION SELECT l.report_id FROM report_link l CROSS JOIN entity le
			WHERE l.node_id IN (%[1]s) AND l.node_kind = 'entity' AND le.id = l.node_id AND %[3]s`, cands, ocg, ent)
	return q
}

// searchIDs is, for a search, a SELECT of the ids of the newest n reports
// the text matches and the newest n reports the links match (all of them
// when n ≤ 0), each with the query's other conditions: every report of
// the search's first n, in at most 2n ids.
func (q *InfoReportQuery) searchIDs(args *Args, n int, ordered bool) string {
	return q.searchSelect(args, n, ordered, "r.id")
}

// searchSelect is searchIDs selecting cols of each report (r.id, and
// r.created_at to order the answer).
func (q *InfoReportQuery) searchSelect(args *Args, n int, ordered bool, cols string) string {
	lim := ""
	if n > 0 {
		lim = ` LIMIT ` + args.Add(n)
	}
	// Unordered (to count), the engine may read any n matches: from the
	// full-text index, not by walking the newest reports.
	order := lim
	if ordered {
		order = ` ORDER BY r.created_at DESC, r.id DESC` + lim
	}
	// The linked reports are few: read from the links, so that SQLite
	// (which keeps a CROSS JOIN's order) never walks every report to
	// find them.
	return `SELECT t.* FROM (SELECT ` + cols + ` FROM info_report r WHERE ` + q.where() + ` AND ` + q.text + order + `) t
		UNION SELECT k.* FROM (SELECT ` + cols + ` FROM (` + q.links + `) lk CROSS JOIN info_report r WHERE r.id = lk.report_id AND ` + q.where() + order + `) k`
}

// referenceShape is a reference as agencies write them: letters, then
// parts after hyphens or slashes, with a digit somewhere.
var referenceShape = regexp.MustCompile(`^[A-Za-z]{1,8}([-/][A-Za-z0-9]+)+$`)

// reportWords splits a search term into the words the full-text indexes
// hold: accents and case folded, anything not a letter or digit a break
// (as the engines' tokenizers split text), at most eight words.
func reportWords(term string) []string {
	words := strings.FieldsFunc(match.Fold(term), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	return words[:min(len(words), 8)]
}

// schemeOf is the grading scheme to store for r: 3x5x2 unless it says
// otherwise.
func schemeOf(r *domain.InfoReport) string {
	if r.Scheme == "" {
		return domain.Scheme3x5x2
	}
	return r.Scheme
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

func (q *InfoReportQuery) where() string { return strings.Join(q.conds, " AND ") }

// CountUpTo returns how many reports the query admits, counting no
// further than limit: a search matching half a million reports need not
// count them all to show its first page.
func (q *InfoReportQuery) CountUpTo(ctx context.Context, limit int) (int, error) {
	var n int
	args := q.args
	var query string
	if q.text != "" {
		ids := q.searchIDs(&args, limit, false)
		query = `SELECT count(*) FROM (SELECT u.id FROM (` + ids + `) u LIMIT ` + args.Add(limit) + `) c`
	} else {
		query = `SELECT count(*) FROM (SELECT 1 FROM info_report r WHERE ` + q.where() + ` LIMIT ` + args.Add(limit) + `) c`
	}
	if err := q.s.rdb.QueryRowContext(ctx, query, args.Values()...).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count info reports: %w", err)
	}
	return n, nil
}

// Count returns how many reports the query admits.
func (q *InfoReportQuery) Count(ctx context.Context) (int, error) {
	var n int
	args := q.args
	query := `SELECT count(*) FROM info_report r WHERE ` + q.where()
	if q.text != "" {
		query = `SELECT count(*) FROM (` + q.searchIDs(&args, 0, false) + `) c`
	}
	if err := q.s.rdb.QueryRowContext(ctx, query, args.Values()...).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: count info reports: %w", err)
	}
	return n, nil
}

const infoReportSelect = `SELECT r.id, r.partnership_id, r.reference, r.title, r.body, r.source_grade, r.intel_grade,
	r.handling_code, r.handling_conditions, r.classification, r.restricted, r.origin_agency_id, a.name,
	COALESCE(CAST(r.area_id AS text), ''), COALESCE(o.name, ''), r.created_by, u.display_name, r.created_at, r.updated_at,
	COALESCE(CAST(r.sanitised_from AS text), ''), a.agency_type, r.grading_scheme, r.legacy_handling
	FROM info_report r
	JOIN agency a ON a.id = r.origin_agency_id
	JOIN app_user u ON u.id = r.created_by
	LEFT JOIN org_unit o ON o.id = r.area_id`

func scanInfoReport(r interface{ Scan(...any) error }) (domain.InfoReport, error) {
	var x domain.InfoReport
	var handling, class, originType string
	err := r.Scan(&x.ID, &x.Marking.PartnershipID, &x.Reference, &x.Title, &x.Body, &x.SourceGrade, &x.IntelGrade,
		&handling, &x.HandlingConditions, &class, &x.Marking.Restricted, &x.Marking.OriginAgencyID, &x.OriginAgencyName,
		&x.AreaID, &x.AreaName, &x.CreatedBy, &x.CreatedByName, &x.CreatedAt, &x.UpdatedAt, &x.SanitisedFrom, &originType, &x.Scheme, &x.LegacyHandling)
	x.Marking.Handling, x.Marking.Classification = domain.HandlingCode(handling), domain.Classification(class)
	x.Marking.OriginLawEnforcement, x.Marking.Sanitised = domain.AgencyType(originType).LawEnforcement(), x.SanitisedFrom != ""
	x.CreatedAt, x.UpdatedAt = x.CreatedAt.UTC(), x.UpdatedAt.UTC()
	return x, err
}

// List returns one page of reports, newest first. limit ≤ 0 means all.
func (q *InfoReportQuery) List(ctx context.Context, limit, offset int) ([]domain.InfoReport, error) {
	query := infoReportSelect + ` WHERE ` + q.where() + ` ORDER BY r.created_at DESC, r.id DESC`
	args := q.args
	if q.text != "" {
		n := 0
		if limit > 0 {
			n = limit + max(offset, 0)
		}
		query = infoReportSelect + ` WHERE r.id IN (` + q.searchIDs(&args, n, true) + `) ORDER BY r.created_at DESC, r.id DESC`
	}
	if limit > 0 {
		query += ` LIMIT ` + args.Add(limit) + ` OFFSET ` + args.Add(max(offset, 0))
	}
	return collect(ctx, q.s.rdb, "list info reports", query, args.Values(),
		func(r *sql.Rows) (domain.InfoReport, error) { return scanInfoReport(r) })
}

// One returns the single report the query admits, loading its handling
// conditions and grants, or a not-found error.
func (q *InfoReportQuery) One(ctx context.Context) (domain.InfoReport, error) {
	list, err := q.List(ctx, 2, 0)
	if err != nil {
		return domain.InfoReport{}, err
	}
	if len(list) != 1 {
		return domain.InfoReport{}, domain.NotFound("information report", "")
	}
	r := list[0]
	if err := q.s.loadMarkingRows(ctx, r.ID, &r.Marking); err != nil {
		return domain.InfoReport{}, err
	}
	return r, nil
}

func (s *Store) loadMarkingRows(ctx context.Context, id string, m *domain.Marking) error {
	return loadMarkingRowsFrom(ctx, s.rdb, id, m)
}

// loadMarkingRowsFrom is loadMarkingRows through q (a transaction that
// may hold the record uncommitted).
func loadMarkingRowsFrom(ctx context.Context, q Queryer, id string, m *domain.Marking) error {
	type row struct{ a, t string }
	conds, err := collect(ctx, q, "record conditions",
		`SELECT COALESCE(CAST(agency_id AS text), ''), COALESCE(agency_type, '') FROM record_condition WHERE record_id = $1`, []any{id},
		func(r *sql.Rows) (row, error) { var x row; err := r.Scan(&x.a, &x.t); return x, err })
	if err != nil {
		return err
	}
	for _, c := range conds {
		if c.a != "" {
			m.ConditionAgencies = append(m.ConditionAgencies, c.a)
		} else {
			m.ConditionTypes = append(m.ConditionTypes, domain.AgencyType(c.t))
		}
	}
	grants, err := collect(ctx, q, "record grants",
		`SELECT COALESCE(CAST(user_id AS text), ''), COALESCE(CAST(agency_id AS text), '') FROM record_grant WHERE record_id = $1`, []any{id},
		func(r *sql.Rows) (row, error) { var x row; err := r.Scan(&x.a, &x.t); return x, err })
	if err != nil {
		return err
	}
	for _, g := range grants {
		if g.a != "" {
			m.NamedUsers = append(m.NamedUsers, g.a)
		} else {
			m.NamedAgencies = append(m.NamedAgencies, g.t)
		}
	}
	return nil
}

// RoleGrants loads the role permission data the policy is built from.
func (s *Store) RoleGrants(ctx context.Context) ([]authz.Grant, error) {
	return collect(ctx, s.rdb, "role permissions", `SELECT role_code, record_kind, action FROM role_permission`, nil,
		func(r *sql.Rows) (authz.Grant, error) {
			var g authz.Grant
			err := r.Scan(&g.Role, &g.Kind, &g.Perm)
			return g, err
		})
}

// nextNumber hands out the partnership's next number for kind, in tx. The
// upsert locks the counter row until commit (and waits on a concurrent first
// insert), so writers on any number of servers get distinct numbers.
func (s *Store) nextNumber(ctx context.Context, tx *sql.Tx, partnershipID, kind string) (int64, error) {
	var n int64
	err := tx.QueryRowContext(ctx, `INSERT INTO record_counter (partnership_id, kind, next) VALUES ($1, $2, 1)
		ON CONFLICT (partnership_id, kind) DO UPDATE SET next = record_counter.next + 1 RETURNING next`, partnershipID, kind).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: next %s number: %w", kind, err)
	}
	return n, nil
}

// InfoReportReferencesTaken returns which of refs the partnership's
// reports already carry, read in tx so an import that finds none stores
// its own before another can take them. It reads no access rule: a
// reference is unique in the partnership whoever may see its report.
func (s *Store) InfoReportReferencesTaken(ctx context.Context, tx *sql.Tx, partnershipID string, refs []string) (map[string]bool, error) {
	taken := map[string]bool{}
	const chunk = 500
	for start := 0; start < len(refs); start += chunk {
		part := refs[start:min(start+chunk, len(refs))]
		var args Args
		pid := args.Add(partnershipID)
		marks := make([]string, len(part))
		for i, r := range part {
			marks[i] = args.Add(r)
		}
		got, err := collect(ctx, tx, "report references taken",
			`SELECT reference FROM info_report WHERE partnership_id = `+pid+` AND reference IN (`+strings.Join(marks, ", ")+`)`, args.Values(),
			func(r *sql.Rows) (string, error) { var x string; err := r.Scan(&x); return x, err })
		if err != nil {
			return nil, err
		}
		for _, x := range got {
			taken[x] = true
		}
	}
	return taken, nil
}

// Page returns one page of the reports the query admits, newest first,
// and how many there are, counting no further than limit (more says there
// are more). A search reads the ids of its first limit+1 matches once, in
// order, and takes the page from them: one walk of the index answers both
// the count and the page.
func (q *InfoReportQuery) Page(ctx context.Context, perPage, offset, limit int) (items []domain.InfoReport, total int, more bool, err error) {
	if q.text == "" {
		if total, err = q.CountUpTo(ctx, limit+1); err != nil {
			return nil, 0, false, err
		}
		items, err = q.List(ctx, perPage, offset)
		return items, min(total, limit), total > limit, err
	}
	type hit struct {
		id string
		at time.Time
	}
	args := q.args
	hits, err := collect(ctx, q.s.rdb, "search info reports", q.searchSelect(&args, limit+1, true, "r.id, r.created_at"), args.Values(),
		func(r *sql.Rows) (hit, error) { var x hit; err := r.Scan(&x.id, &x.at); return x, err })
	if err != nil {
		return nil, 0, false, err
	}
	// The two ways' answers, newest first, as List orders them.
	slices.SortFunc(hits, func(a, b hit) int {
		if c := b.at.Compare(a.at); c != 0 {
			return c
		}
		return strings.Compare(b.id, a.id)
	})
	ids := make([]string, 0, min(len(hits), limit+1))
	for _, h := range hits[:min(len(hits), limit+1)] {
		ids = append(ids, h.id)
	}
	total, more = min(len(ids), limit), len(ids) > limit
	offset = max(offset, 0)
	if offset >= total {
		return nil, total, more, nil
	}
	page := ids[offset:min(offset+perPage, total)]
	// The page's reports by id, under the policy again, put in the ids'
	// order here. SQLite keeps a CROSS JOIN's order, so it looks the ids up
	// rather than walking the partnership's reports.
	p := q.s.NewInfoReportQuery(q.policy, q.actor, q.act)
	args = p.args
	pick := `FROM (SELECT x.id FROM info_report x WHERE ` + idIn("x.id", page, &args) + `) pick CROSS JOIN info_report r`
	query := strings.Replace(infoReportSelect, "FROM info_report r", pick, 1) + ` WHERE r.id = pick.id AND ` + p.where()
	got, err := collect(ctx, q.s.rdb, "list info reports", query, args.Values(),
		func(r *sql.Rows) (domain.InfoReport, error) { return scanInfoReport(r) })
	if err != nil {
		return nil, 0, false, err
	}
	byID := make(map[string]domain.InfoReport, len(got))
	for _, r := range got {
		byID[r.ID] = r
	}
	for _, id := range page {
		if r, ok := byID[id]; ok {
			items = append(items, r)
		}
	}
	return items, total, more, nil
}
