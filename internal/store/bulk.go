package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"alliance/internal/authz"
	"alliance/internal/domain"
	"alliance/internal/store/dialect"
	"alliance/internal/store/txhook"
)

// BulkBatch is how many records a Bulk writer holds before it writes them:
// enough to make each statement or COPY worth its round trip, few enough
// that the buffered rows stay a few megabytes whatever the file's length.
const BulkBatch = 2000

// Bulk writes many new register records (groups, people and other
// entities, links) in one transaction, faster than one InsertOCG or
// InsertEntity call a record: it buffers records, takes a whole batch's
// references from the partnership counter in one statement, and writes
// each table's rows together, with the entities' search entries (keys and
// full-text documents) made and written in the same pass, so an imported
// person is searchable the moment the import commits (decision 23). On
// SQLite it re-runs prepared multi-row INSERTs for the whole transaction;
// on PostgreSQL it streams rows with COPY. It is not safe for concurrent
// use.
type Bulk struct {
	s     *Store
	conn  *sql.Conn
	tx    *sql.Tx
	pid   string
	stmts map[string]*sql.Stmt

	// asIs: see LoadAsIs.
	asIs bool
	// scopes: the access scopes of disruptions (LoadDisruptions).
	scopes *scopeInterner
	// rollup: the loaded disruptions' roll-up, counted in memory (RollUp).
	rollup *bulkRollup

	groups []bulkGroup
	people []domain.Entity
	links  []domain.Link

	// written counts the rows write put in each table, for tidy.
	written map[string]int
	// later: see TidyLater.
	later map[string]int
}

// TidyLater leaves tidying the tables this load fills (tidyAfterBulk) to
// the caller, adding the rows it wrote to each table into written once it
// commits: a generator that runs dozens of bulk transactions tidies each
// table once at the end (Store.TidyAfterBulk), not after every one (on
// PostgreSQL a VACUUM (ANALYZE) of each big table, a third of the
// benchmark build's time).
func (b *Bulk) TidyLater(written map[string]int) { b.later = written }

// TidyAfterBulk tidies the tables that bulk loads left to their caller
// (Bulk.TidyLater) put many rows in, as BulkTx does after a load.
func (s *Store) TidyAfterBulk(ctx context.Context, written map[string]int) error {
	conn, err := s.wdb.Conn(ctx)
	if err != nil {
		return fmt.Errorf("store: tidy connection: %w", err)
	}
	defer conn.Close()
	s.tidyAfterBulk(ctx, conn, written)
	return nil
}

type bulkGroup struct {
	o          domain.OCG
	proposedOn time.Time
}

// Flushed says what one Flush wrote: the IDs and references of the new
// records, for the audit entry of the batch.
type Flushed struct {
	Groups, Entities, Links []string // record IDs
	GroupRefs, EntityRefs   []string // references, in the same order
	SearchKeys              int      // search keys written
}

// Empty reports whether nothing was written.
func (f Flushed) Empty() bool { return len(f.Groups)+len(f.Entities)+len(f.Links) == 0 }

// BulkTx runs fn in one write transaction with a Bulk writer for
// partnershipID, flushing what fn left buffered and committing when fn
// returns nil, rolling everything back otherwise. Unlike InTx it does not
// retry: an import reads its file once, so fn cannot run twice. Like InTx
// it runs the txhook work fn registered before committing.
func (s *Store) BulkTx(ctx context.Context, partnershipID string, fn func(ctx context.Context, tx *sql.Tx, b *Bulk) error) (err error) {
	conn, err := s.wdb.Conn(ctx)
	if err != nil {
		return fmt.Errorf("store: bulk connection: %w", err)
	}
	defer conn.Close()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	b := &Bulk{s: s, conn: conn, tx: tx, pid: partnershipID, stmts: map[string]*sql.Stmt{}, written: map[string]int{}}
	defer func() {
		b.closeStmts()
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	hctx, hooks := txhook.With(ctx, tx)
	if err = fn(hctx, tx, b); err != nil {
		return err
	}
	if b.Pending() > 0 {
		return errors.New("store: bulk: records left unflushed")
	}
	if err = hooks.Run(hctx); err != nil {
		return err
	}
	b.closeStmts()
	if err = tx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	if b.later != nil {
		for t, n := range b.written {
			b.later[t] += n
		}
		return nil
	}
	s.tidyAfterBulk(ctx, conn, b.written)
	return nil
}

// tidyRows is how many rows a bulk load must have put in a table before
// the table is tidied after it (tidyAfterBulk).
const tidyRows = 10000

// tidyAfterBulk brings the planner's statistics and, on PostgreSQL, the
// visibility map up to date for the tables a committed bulk load put many
// rows in (dialect.TidyTable). Without it PostgreSQL reads the heap for
// every search posting until autovacuum comes round (decision 24: a
// search's median fell fourfold at a million people once search_key was
// vacuumed). The load is committed whatever happens here, so a failure is
// logged, not returned.
func (s *Store) tidyAfterBulk(ctx context.Context, conn *sql.Conn, written map[string]int) {
	tables := make([]string, 0, len(written))
	for t, n := range written {
		if n >= tidyRows {
			tables = append(tables, t)
		}
	}
	slices.Sort(tables)
	for _, t := range tables {
		q := s.d.TidyTable(t)
		if q == "" {
			continue
		}
		if _, err := conn.ExecContext(ctx, q); err != nil {
			s.log.WarnContext(ctx, "store: tidy after a bulk load failed; autovacuum will catch up", "table", t, "error", err.Error())
		}
	}
}

func (b *Bulk) closeStmts() {
	for k, st := range b.stmts {
		_ = st.Close()
		delete(b.stmts, k)
	}
}

// Pending is how many records are buffered.
func (b *Bulk) Pending() int { return len(b.groups) + len(b.people) + len(b.links) }

// Full reports whether the buffer has reached BulkBatch and should be
// flushed.
func (b *Bulk) Full() bool { return b.Pending() >= BulkBatch }

// AddOCG buffers a new group and the lifecycle step that put it in its
// status on proposedOn. Its ID is set now; its reference, when empty, at
// Flush.
func (b *Bulk) AddOCG(o domain.OCG, proposedOn time.Time) string {
	if o.ID == "" {
		o.ID = b.s.NewID()
	}
	o.Marking.PartnershipID = b.pid
	b.groups = append(b.groups, bulkGroup{o: o, proposedOn: proposedOn})
	return o.ID
}

// AddEntity buffers a new entity. Its ID is set now, so links to it can be
// buffered straight away; its reference, when empty, at Flush.
func (b *Bulk) AddEntity(e domain.Entity) string {
	if e.ID == "" {
		e.ID = b.s.NewID()
	}
	e.Marking.PartnershipID = b.pid
	b.people = append(b.people, e)
	return e.ID
}

// AddLink buffers a new link.
func (b *Bulk) AddLink(l domain.Link) string {
	if l.ID == "" {
		l.ID = b.s.NewID()
	}
	b.links = append(b.links, l)
	return l.ID
}

// LoadAsIs makes b write records as they are given, for a register made
// elsewhere in bulk (the benchmark generator): no full-text documents are
// written for an entity (its search keys are), and a group is written in
// its status without the lifecycle step (the proposal) that an import
// records.
func (b *Bulk) LoadAsIs() { b.asIs = true }

// WidenCache gives the writing connection a larger page cache (256 MiB),
// which it keeps, while it fills big indexes; on PostgreSQL it does
// nothing.
func (b *Bulk) WidenCache(ctx context.Context) error {
	if b.s.d.Name() != "sqlite" {
		return nil
	}
	if _, err := b.tx.ExecContext(ctx, `PRAGMA cache_size = -262144`); err != nil {
		return fmt.Errorf("store: widen page cache: %w", err)
	}
	return nil
}

// lazyNow reads the store's clock once, on first use, so a flush whose
// records all carry their times does not read it.
type lazyNow struct {
	s   *Store
	t   time.Time
	set bool
}

func (n *lazyNow) get() time.Time {
	if !n.set {
		n.t, n.set = n.s.Now(), true
	}
	return n.t
}

// Flush writes everything buffered: groups, then entities, then links.
func (b *Bulk) Flush(ctx context.Context) (Flushed, error) {
	var f Flushed
	now := &lazyNow{s: b.s}
	if len(b.groups) > 0 {
		if err := b.flushGroups(ctx, now, &f); err != nil {
			return f, err
		}
	}
	if len(b.people) > 0 {
		if err := b.flushEntities(ctx, now, &f); err != nil {
			return f, err
		}
	}
	if len(b.links) > 0 {
		if err := b.flushLinks(ctx, now, &f); err != nil {
			return f, err
		}
	}
	return f, nil
}

// reserveNumbers advances the partnership's counter for kind by n in one
// statement and returns the first of the n numbers it handed out.
func (b *Bulk) reserveNumbers(ctx context.Context, kind string, n int) (int64, error) {
	var last int64
	err := b.tx.QueryRowContext(ctx, `INSERT INTO record_counter (partnership_id, kind, next) VALUES ($1, $2, $3)
		ON CONFLICT (partnership_id, kind) DO UPDATE SET next = record_counter.next + $3 RETURNING next`, b.pid, kind, int64(n)).Scan(&last)
	if err != nil {
		return 0, fmt.Errorf("store: reserve %d %s numbers: %w", n, kind, err)
	}
	return last - int64(n) + 1, nil
}

var (
	entityCols    = []string{"id", "partnership_id", "reference", "kind", "name", "identifier", "dob", "gender", "detail", "classification", "handling_code", "handling_conditions", "restricted", "origin_agency_id", "created_by", "created_at", "updated_at"}
	aliasCols     = []string{"partnership_id", "entity_id", "kind", "value"}
	flagCols      = []string{"partnership_id", "entity_id", "flag"}
	keyCols       = []string{"partnership_id", "key", "record_kind", "record_id"}
	conditionCols = []string{"partnership_id", "record_id", "agency_id", "agency_type"}
	grantCols     = []string{"partnership_id", "record_id", "user_id", "agency_id"}
	ocgCols       = []string{"id", "partnership_id", "reference", "name", "operation_name", "summary", "status", "ownership_level", "primary_threat", "home_unit_id", "lead_agency_id", "classification", "handling_code", "handling_conditions", "restricted", "origin_agency_id", "created_by", "created_at", "updated_at"}
	ocgThreatCols = []string{"partnership_id", "ocg_id", "threat_code"}
	ocgAreaCols   = []string{"partnership_id", "ocg_id", "unit_id"}
	transCols     = []string{"id", "partnership_id", "ocg_id", "from_status", "to_status", "decided_on", "decision", "note", "actor_id", "at"}
	linkInsCols   = []string{"id", "partnership_id", "from_kind", "from_id", "to_kind", "to_id", "type", "role", "valid_from", "valid_to", "source_ref", "confidence", "note", "created_by", "created_at"}
)

// markingRows appends a record's handling conditions and grants.
func markingRows(conds, grants [][]any, id string, m domain.Marking) ([][]any, [][]any) {
	for _, a := range m.ConditionAgencies {
		conds = append(conds, []any{m.PartnershipID, id, a, nil})
	}
	for _, t := range m.ConditionTypes {
		conds = append(conds, []any{m.PartnershipID, id, nil, string(t)})
	}
	for _, u := range m.NamedUsers {
		grants = append(grants, []any{m.PartnershipID, id, u, nil})
	}
	for _, a := range m.NamedAgencies {
		grants = append(grants, []any{m.PartnershipID, id, nil, a})
	}
	return conds, grants
}

// proposalRows appends the lifecycle steps an imported group g took to
// its status: proposed on its proposal day, and under assessment if it is.
func (b *Bulk) proposalRows(trans [][]any, g *bulkGroup, now time.Time) [][]any {
	o := &g.o
	on := g.proposedOn.Format("2006-01-02")
	trans = append(trans, []any{b.s.NewID(), b.pid, o.ID, "", string(domain.StatusProposed), on, "", "Imported", o.CreatedBy, now})
	if o.Status == domain.StatusUnderAssessment {
		trans = append(trans, []any{b.s.NewID(), b.pid, o.ID, string(domain.StatusProposed), string(domain.StatusUnderAssessment), on, "", "Imported", o.CreatedBy, now})
	}
	return trans
}

func (b *Bulk) flushGroups(ctx context.Context, now *lazyNow, f *Flushed) error {
	need := 0
	for _, g := range b.groups {
		if g.o.Reference == "" {
			need++
		}
	}
	var next int64
	if need > 0 {
		var err error
		if next, err = b.reserveNumbers(ctx, string(domain.KindOCG), need); err != nil {
			return err
		}
	}
	rows := make([][]any, 0, len(b.groups))
	var threats, areas, trans, keys, conds, grants [][]any
	for i := range b.groups {
		g := &b.groups[i]
		o := &g.o
		if o.Reference == "" {
			o.Reference = fmt.Sprintf("OCG-%d-%04d", now.get().Year(), next)
			next++
		}
		if o.CreatedAt.IsZero() {
			o.CreatedAt = now.get()
		}
		o.UpdatedAt = o.CreatedAt
		m := o.Marking
		rows = append(rows, []any{o.ID, b.pid, o.Reference, o.Name, o.OperationName, o.Summary, string(o.Status), string(o.Ownership),
			o.PrimaryThreat, nullIfEmpty(o.HomeUnitID), nullIfEmpty(o.LeadAgencyID), string(m.Classification), string(m.Handling),
			o.HandlingNote, m.Restricted, m.OriginAgencyID, o.CreatedBy, o.CreatedAt, o.UpdatedAt})
		for _, t := range appendUniqueStr([]string{o.PrimaryThreat}, o.Threats...) {
			threats = append(threats, []any{b.pid, o.ID, t})
		}
		for _, a := range appendUniqueStr(nil, o.AreaIDs...) {
			areas = append(areas, []any{b.pid, o.ID, a})
		}
		if !b.asIs {
			trans = b.proposalRows(trans, g, now.get())
		}
		for _, k := range ocgKeys(o) {
			keys = append(keys, []any{b.pid, k, string(domain.NodeOCG), o.ID})
		}
		conds, grants = markingRows(conds, grants, o.ID, m)
		f.Groups = append(f.Groups, o.ID)
		f.GroupRefs = append(f.GroupRefs, o.Reference)
	}
	if err := b.writeTables(ctx, []tableRows{{"ocg", ocgCols, rows}, {"ocg_threat", ocgThreatCols, threats}, {"ocg_area", ocgAreaCols, areas},
		{"ocg_transition", transCols, trans}, {"record_condition", conditionCols, conds}, {"record_grant", grantCols, grants},
		{"search_key", keyCols, keys}}); err != nil {
		return err
	}
	f.SearchKeys += len(keys)
	b.groups = b.groups[:0]
	return nil
}

func (b *Bulk) flushEntities(ctx context.Context, now *lazyNow, f *Flushed) error {
	if err := b.entityReferences(ctx); err != nil {
		return err
	}
	for i := range b.people {
		e := &b.people[i]
		if e.CreatedAt.IsZero() {
			e.CreatedAt = now.get()
		}
		e.UpdatedAt = e.CreatedAt
	}
	// The search entries are made on the other processors while this one
	// writes the records; they are written in the same transaction, after
	// the records (see entitySearchRows).
	search := make(chan [2][][]any, 1)
	go func() {
		keys, docs := entitySearchRows(b.people, !b.asIs)
		search <- [2][][]any{keys, docs}
	}()
	err := b.writeTables(ctx, b.entityRows(f))
	sr := <-search // b.people is read until then, even when err is set
	if err != nil {
		return err
	}
	if err := b.writeTables(ctx, []tableRows{{"search_key", keyCols, sr[0]}, {"search_doc", docCols, sr[1]}}); err != nil {
		return err
	}
	f.SearchKeys += len(sr[0])
	b.people = b.people[:0]
	return nil
}

// writeTables writes each table's rows in turn.
func (b *Bulk) writeTables(ctx context.Context, tables []tableRows) error {
	for _, t := range tables {
		if err := b.write(ctx, t.table, t.cols, t.rows); err != nil {
			return err
		}
	}
	return nil
}

// tableRows are rows for one table.
type tableRows struct {
	table string
	cols  []string
	rows  [][]any
}

// entityRows returns the rows of the buffered entities (entity, aliases,
// flags, marking rows) by table, and notes the entities in f.
func (b *Bulk) entityRows(f *Flushed) []tableRows {
	rows := make([][]any, 0, len(b.people))
	var aliases, flags, conds, grants [][]any
	for i := range b.people {
		e := &b.people[i]
		m := e.Marking
		rows = append(rows, []any{e.ID, b.pid, e.Reference, string(e.Kind), e.Name, e.Identifier, domain.Day(e.DOB), e.Gender, e.Detail,
			string(m.Classification), string(m.Handling), e.HandlingNote, m.Restricted, m.OriginAgencyID, e.CreatedBy, e.CreatedAt, e.UpdatedAt})
		for _, a := range appendUniqueStr(nil, e.Aliases...) {
			aliases = append(aliases, []any{b.pid, e.ID, "alias", a})
		}
		for _, a := range appendUniqueStr(nil, e.Nicknames...) {
			aliases = append(aliases, []any{b.pid, e.ID, "nickname", a})
		}
		for _, fl := range appendUniqueStr(nil, e.Flags...) {
			flags = append(flags, []any{b.pid, e.ID, fl})
		}
		conds, grants = markingRows(conds, grants, e.ID, m)
		f.Entities = append(f.Entities, e.ID)
		f.EntityRefs = append(f.EntityRefs, e.Reference)
	}
	return []tableRows{{"entity", entityCols, rows}, {"entity_alias", aliasCols, aliases}, {"entity_flag", flagCols, flags},
		{"record_condition", conditionCols, conds}, {"record_grant", grantCols, grants}}
}

// entityReferences gives the buffered entities without a reference the
// next ones of their kind, taking each kind's numbers from the
// partnership counter in one statement.
func (b *Bulk) entityReferences(ctx context.Context) error {
	need := map[domain.EntityKind]int{}
	for _, e := range b.people {
		if e.Reference == "" {
			need[e.Kind]++
		}
	}
	next := map[domain.EntityKind]int64{}
	for _, k := range domain.EntityKinds {
		if need[k] == 0 {
			continue
		}
		n, err := b.reserveNumbers(ctx, "entity_"+string(k), need[k])
		if err != nil {
			return err
		}
		next[k] = n
	}
	for i := range b.people {
		e := &b.people[i]
		if e.Reference == "" {
			prefix, ok := entityPrefix[e.Kind]
			if !ok {
				return fmt.Errorf("store: unknown entity kind %q", e.Kind)
			}
			e.Reference = fmt.Sprintf("%s-%06d", prefix, next[e.Kind])
			next[e.Kind]++
		}
	}
	return nil
}

func (b *Bulk) flushLinks(ctx context.Context, now *lazyNow, f *Flushed) error {
	rows := make([][]any, 0, len(b.links))
	for i := range b.links {
		l := &b.links[i]
		if l.CreatedAt.IsZero() {
			l.CreatedAt = now.get()
		}
		rows = append(rows, []any{l.ID, b.pid, string(l.FromKind), l.FromID, string(l.ToKind), l.ToID, string(l.Type), string(l.Role),
			domain.Day(l.ValidFrom), domain.Day(l.ValidTo), l.SourceRef, string(l.Confidence), l.Note, l.CreatedBy, l.CreatedAt})
		f.Links = append(f.Links, l.ID)
	}
	if err := b.write(ctx, "link", linkInsCols, rows); err != nil {
		return err
	}
	b.links = b.links[:0]
	return nil
}

// parallelKeys computes the search keys of list on every processor: making
// a name's keys (normalising, Double Metaphone) costs about as much as
// writing them, and the writes are single-threaded anyway.
func parallelKeys(list []domain.Entity) [][]string {
	out := make([][]string, len(list))
	workers := min(runtime.GOMAXPROCS(0), max(1, len(list)/64))
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(list); i += workers {
				out[i] = EntityKeys(&list[i])
			}
		})
	}
	wg.Wait()
	return out
}

// sortKeys orders search key rows by key, so the primary key index of
// search_key is filled in order rather than at random.
func sortKeys(rows [][]any) {
	slices.SortFunc(rows, func(a, b []any) int { return strings.Compare(a[1].(string), b[1].(string)) })
}

// sqliteChunk is how many rows one prepared SQLite INSERT carries. SQLite
// looks $N parameters up in a list, so statements with hundreds of them
// lose more than they gain; a few dozen rows a statement is the sweet spot
// measured by BenchmarkBulkPeople.
const sqliteChunk = 32

// write inserts rows into table: COPY on PostgreSQL; on SQLite, prepared
// multi-row INSERTs of sqliteChunk rows kept for the whole transaction, and
// a prepared single-row INSERT for the remainder.
func (b *Bulk) write(ctx context.Context, table string, cols []string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	b.written[table] += len(rows)
	if b.s.d.Name() == "postgres" {
		if err := dialect.CopyRows(ctx, b.conn, table, cols, rows); err != nil {
			return b.s.mapInsertErr(fmt.Errorf("store: bulk %s: %w", table, err), table)
		}
		return nil
	}
	chunk := min(sqliteChunk, max(1, 900/len(cols)))
	args := make([]any, 0, chunk*len(cols))
	for start := 0; start < len(rows); {
		n := chunk
		if len(rows)-start < chunk {
			n = 1
		}
		st, err := b.stmt(ctx, table, cols, n) //nolint:sqlclosecheck // cached in b.stmts and closed when the bulk load ends
		if err != nil {
			return err
		}
		args = args[:0]
		for _, r := range rows[start : start+n] {
			if len(r) != len(cols) {
				return fmt.Errorf("store: bulk %s: a row has %d values, want %d", table, len(r), len(cols))
			}
			args = append(args, r...)
		}
		if _, err := st.ExecContext(ctx, args...); err != nil {
			return b.s.mapInsertErr(fmt.Errorf("store: bulk %s: %w", table, err), table)
		}
		start += n
	}
	return nil
}

// stmt returns the prepared INSERT of n rows into table, preparing it on
// first use in this transaction.
func (b *Bulk) stmt(ctx context.Context, table string, cols []string, n int) (*sql.Stmt, error) {
	key := fmt.Sprintf("%s/%d", table, n)
	if st, ok := b.stmts[key]; ok {
		return st, nil
	}
	var q strings.Builder
	q.WriteString("INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES ")
	for i := range n {
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteByte('(')
		for j := range cols {
			if j > 0 {
				q.WriteString(", ")
			}
			// Anonymous parameters: the SQLite driver looks each
			// named one ($N) up by name in a list, which costs more
			// than the insert once a statement has hundreds.
			q.WriteByte('?')
		}
		q.WriteByte(')')
	}
	st, err := b.tx.PrepareContext(ctx, q.String())
	if err != nil {
		return nil, fmt.Errorf("store: prepare bulk %s: %w", table, err)
	}
	b.stmts[key] = st
	return st, nil
}

// ReferencesTaken returns which of refs are already the references of
// groups or entities that actor's agency originated and actor may see (by
// kind). A reference a file brings is unique per originating agency, and
// only among records the importer may see (decision 17): a record actor
// may not see never makes a reference taken, so an import cannot tell a
// hidden record's reference from a free one. The database's unique index
// covers only records that are not restricted, which every analyst of the
// originating agency may see, so it never fires for a hidden record either.
func (s *Store) ReferencesTaken(ctx context.Context, q Queryer, policy authz.Policy, actor domain.Actor, refs []string) (map[string]domain.NodeKind, error) {
	nodes, err := s.visibleByReference(ctx, q, policy, actor, authz.View, refs)
	if err != nil {
		return nil, err
	}
	out := map[string]domain.NodeKind{}
	for _, n := range nodes {
		if n.Marking.OriginAgencyID == actor.AgencyID {
			out[n.Reference] = n.Kind
		}
	}
	return out, nil
}

// NodeRef is a group or entity found by reference.
type NodeRef struct {
	Kind       domain.NodeKind
	EntityKind domain.EntityKind // for entities
	ID         string
	Reference  string
	Marking    domain.Marking // partnership, origin, classification, handling and restriction only
	Status     domain.OCGStatus
	LRO, SRO   string
	// Ambiguous: several records actor may see have this reference and
	// none, or more than one, is from actor's agency; the other fields are
	// empty but Reference.
	Ambiguous bool
}

// NodesByReference returns the groups and entities among refs that actor
// may act on (act) under policy, keyed by reference. Records the actor may
// not see are simply absent, as if they did not exist. References are
// unique per originating agency, so when several visible records share
// one, the one from actor's agency is meant; failing that the entry is
// marked Ambiguous (see ChooseByReference).
func (s *Store) NodesByReference(ctx context.Context, q Queryer, policy authz.Policy, actor domain.Actor, act authz.Action, refs []string) (map[string]NodeRef, error) {
	nodes, err := s.visibleByReference(ctx, q, policy, actor, act, refs)
	if err != nil {
		return nil, err
	}
	return ChooseByReference(nodes, actor.AgencyID), nil
}

// ChooseByReference keys nodes by reference. Where several share a
// reference, the only one originated by agencyID is chosen; otherwise the
// entry is Ambiguous.
func ChooseByReference(nodes []NodeRef, agencyID string) map[string]NodeRef {
	byRef := map[string][]NodeRef{}
	for _, n := range nodes {
		byRef[n.Reference] = append(byRef[n.Reference], n)
	}
	out := make(map[string]NodeRef, len(byRef))
	for ref, list := range byRef {
		if len(list) == 1 {
			out[ref] = list[0]
			continue
		}
		var own []NodeRef
		for _, n := range list {
			if n.Marking.OriginAgencyID == agencyID {
				own = append(own, n)
			}
		}
		if len(own) == 1 {
			out[ref] = own[0]
		} else {
			out[ref] = NodeRef{Reference: ref, Ambiguous: true}
		}
	}
	return out
}

// visibleByReference returns every group and entity among refs that actor
// may act on (act) under policy.
func (s *Store) visibleByReference(ctx context.Context, q Queryer, policy authz.Policy, actor domain.Actor, act authz.Action, refs []string) ([]NodeRef, error) {
	var out []NodeRef
	for start := 0; start < len(refs); start += 500 {
		chunk := refs[start:min(start+500, len(refs))]
		var args Args
		ps := make([]string, len(chunk))
		for i, r := range chunk {
			ps[i] = args.Add(r)
		}
		in := strings.Join(ps, ", ")
		pid := args.Add(actor.PartnershipID)
		entVis := predicate(policy, actor, act, domain.KindEntity, "e", &args)
		ocgVis := predicate(policy, actor, act, domain.KindOCG, "o", &args)
		query := `SELECT 'entity', e.kind, e.id, e.reference, e.partnership_id, e.origin_agency_id, e.classification, e.handling_code, e.restricted, '', '', ''
			FROM entity e WHERE e.partnership_id = ` + pid + ` AND e.reference IN (` + in + `) AND ` + entVis + `
			UNION ALL SELECT 'ocg', '', o.id, o.reference, o.partnership_id, o.origin_agency_id, o.classification, o.handling_code, o.restricted, o.status,
			COALESCE(CAST(o.lro_user_id AS text), ''), COALESCE(CAST(o.sro_user_id AS text), '')
			FROM ocg o WHERE o.partnership_id = ` + pid + ` AND o.reference IN (` + in + `) AND ` + ocgVis
		nodes, err := collect(ctx, q, "records by reference", query, args.Values(), func(r *sql.Rows) (NodeRef, error) {
			var n NodeRef
			var kind, ekind, class, handling, status string
			err := r.Scan(&kind, &ekind, &n.ID, &n.Reference, &n.Marking.PartnershipID, &n.Marking.OriginAgencyID, &class, &handling,
				&n.Marking.Restricted, &status, &n.LRO, &n.SRO)
			n.Kind, n.EntityKind, n.Status = domain.NodeKind(kind), domain.EntityKind(ekind), domain.OCGStatus(status)
			n.Marking.Classification, n.Marking.Handling = domain.Classification(class), domain.HandlingCode(handling)
			return n, err
		})
		if err != nil {
			return nil, err
		}
		out = append(out, nodes...)
	}
	return out, nil
}

// OCGThreatCodes returns the threat codes of each of the groups ids.
func (s *Store) OCGThreatCodes(ctx context.Context, ids []string) (map[string][]string, error) {
	out := map[string][]string{}
	for start := 0; start < len(ids); start += 500 {
		chunk := ids[start:min(start+500, len(ids))]
		var args Args
		ps := make([]string, len(chunk))
		for i, id := range chunk {
			ps[i] = args.Add(id)
		}
		type pair struct{ id, code string }
		rows, err := collect(ctx, s.rdb, "group threats", `SELECT CAST(ot.ocg_id AS text), ot.threat_code FROM ocg_threat ot JOIN threat t ON t.code = ot.threat_code
			WHERE ot.ocg_id IN (`+strings.Join(ps, ", ")+`) ORDER BY t.sort_order`, args.Values(),
			func(r *sql.Rows) (pair, error) { var p pair; err := r.Scan(&p.id, &p.code); return p, err })
		if err != nil {
			return nil, err
		}
		for _, p := range rows {
			out[p.id] = append(out[p.id], p.code)
		}
	}
	return out, nil
}

// ExportLink is a link with both ends' references, for export.
type ExportLink struct {
	domain.Link
	FromRef, ToRef string
}

// ExportLinks returns up to limit links both of whose ends actor may
// export, oldest first.
func (s *Store) ExportLinks(ctx context.Context, policy authz.Policy, actor domain.Actor, limit int) ([]ExportLink, error) {
	var args Args
	pid := args.Add(actor.PartnershipID)
	fe := predicate(policy, actor, authz.Export, domain.KindEntity, "fe", &args)
	fo := predicate(policy, actor, authz.Export, domain.KindOCG, "fo", &args)
	te := predicate(policy, actor, authz.Export, domain.KindEntity, "te", &args)
	to := predicate(policy, actor, authz.Export, domain.KindOCG, "tgo", &args)
	query := `SELECT ` + linkCols + `, COALESCE(fe.reference, fo.reference, ''), COALESCE(te.reference, tgo.reference, '')
		FROM link l
		LEFT JOIN entity fe ON l.from_kind = 'entity' AND fe.id = l.from_id AND ` + fe + `
		LEFT JOIN ocg fo ON l.from_kind = 'ocg' AND fo.id = l.from_id AND ` + fo + `
		LEFT JOIN entity te ON l.to_kind = 'entity' AND te.id = l.to_id AND ` + te + `
		LEFT JOIN ocg tgo ON l.to_kind = 'ocg' AND tgo.id = l.to_id AND ` + to + `
		WHERE l.partnership_id = ` + pid + ` AND (fe.id IS NOT NULL OR fo.id IS NOT NULL) AND (te.id IS NOT NULL OR tgo.id IS NOT NULL)
		ORDER BY l.created_at, l.id LIMIT ` + args.Add(limit)
	return collect(ctx, s.rdb, "export links", query, args.Values(), func(r *sql.Rows) (ExportLink, error) {
		var x ExportLink
		l, err := scanLink(r, &x.FromRef, &x.ToRef)
		x.Link = l
		return x, err
	})
}
