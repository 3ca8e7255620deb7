package service

import (
	"context"
	"database/sql"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"alliance/internal/audit"
	"alliance/internal/authz"
	"alliance/internal/domain"
	"alliance/internal/importexport"
	"alliance/internal/store"
)

// Importer brings groups, people and links into the register from CSV and
// XLSX files, and exports them again. An import streams its file straight
// into one transaction: a dry run checks every row and stores nothing; a
// real run stores every row or, if any row is bad, none, and either way
// reports every bad row and field.
type Importer struct {
	policyUser
	st    *store.Store
	log   *slog.Logger
	alog  *audit.Log
	index *SearchIndexer
}

// NewImporter returns the service. Every collection and disclosure it does
// is written to alog.
func NewImporter(st *store.Store, log *slog.Logger, alog *audit.Log) *Importer {
	if log == nil {
		log = slog.Default()
	}
	return &Importer{st: st, log: log, alog: alog}
}

// WakeIndexer makes the importer wake x after each import that stored
// people, so that their search entries are written straight away.
func (im *Importer) WakeIndexer(x *SearchIndexer) { im.index = x }

// ImportOptions tune one import.
type ImportOptions struct {
	// DryRun checks everything and stores nothing.
	DryRun bool
	// Marking is the protective marking of every imported record, unless a
	// row gives its own classification or handling_code.
	Marking domain.MarkingInput
	// Sheet names the XLSX sheet to read; the first when empty.
	Sheet string
	// XLSX bounds what opening a workbook may cost.
	XLSX importexport.XLSXLimits
	// MaxProblems is how many problems the result lists (default 1,000);
	// the rest are counted in MoreProblems.
	MaxProblems int
	// FileName names the file in the audit log.
	FileName string
	// Commit, when set, runs inside the import's transaction once every
	// row is stored, just before it commits (never on a dry run or for a
	// file with problems); its error rolls the whole import back. A job
	// records its end there, so the import and that record commit as one.
	Commit func(ctx context.Context, tx *sql.Tx, res RegisterImportResult) error
}

// RegisterImportResult says what an import did, or on a dry run would do.
type RegisterImportResult struct {
	Kind    importexport.RegisterKind
	DryRun  bool
	Rows    int // data rows read (blank rows not counted)
	Stored  int // records stored: 0 on a dry run or when there were problems
	Members int // memberships (people files) or links stored
	// Problems lists the bad rows and fields in file order.
	Problems     []domain.FieldError
	MoreProblems int
	// Indexing says the stored people are queued for their search entries
	// (see SearchIndexer): search finds them once those are written.
	Indexing bool
}

// queuesIndexing reports whether the import, once committed, left people
// waiting for their search entries.
func (r RegisterImportResult) queuesIndexing() bool {
	return !r.DryRun && r.Kind == importexport.KindPeople && r.Stored > 0
}

// OK reports whether the file had no problems.
func (r RegisterImportResult) OK() bool { return len(r.Problems) == 0 }

// ErrImportProblems is wrapped by the error Import returns when the file
// has bad rows; the result lists them.
var ErrImportProblems = errors.New("the file has problems")

// problemList collects problems up to a limit.
type problemList struct {
	res *RegisterImportResult
	max int
}

func (p *problemList) add(fs ...domain.FieldError) {
	for _, f := range fs {
		if len(p.res.Problems) < p.max {
			p.res.Problems = append(p.res.Problems, f)
		} else {
			p.res.MoreProblems++
		}
	}
}

func (p *problemList) addf(row int, col, format string, args ...any) {
	field := fmt.Sprintf("row %d", row)
	if col != "" {
		field += ", column " + col
	}
	p.add(domain.FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

func (p *problemList) any() bool { return len(p.res.Problems) > 0 || p.res.MoreProblems > 0 }

// errRollback ends a dry run or a bad file's transaction without storing.
var errRollback = errors.New("import: roll back")

// Policy returns the access policy built from the current role permissions.
func (im *Importer) Policy(ctx context.Context) (authz.Policy, error) {
	return im.policyOf(ctx, im.st)
}

func recordKind(kind importexport.RegisterKind) domain.RecordKind {
	if kind == importexport.KindGroups {
		return domain.KindOCG
	}
	return domain.KindEntity
}

// MayImport reports whether a may import files of kind at all.
func (im *Importer) MayImport(ctx context.Context, a domain.Actor, kind importexport.RegisterKind) bool {
	p, err := im.Policy(ctx)
	return err == nil && p.Allowed(a, authz.Create, recordKind(kind))
}

// MayExport reports whether a may export records of kind at all.
func (im *Importer) MayExport(ctx context.Context, a domain.Actor, kind importexport.RegisterKind) bool {
	p, err := im.Policy(ctx)
	if err != nil || !p.Allowed(a, authz.Export, recordKind(kind)) {
		return false
	}
	return kind != importexport.KindLinks || p.Allowed(a, authz.Export, domain.KindOCG)
}

// ActorByEmail returns the actor an active user of the partnership slug
// acts as, for the command line's --as.
func (im *Importer) ActorByEmail(ctx context.Context, slug, email string) (domain.Actor, error) {
	p, err := im.st.PartnershipBySlug(ctx, slug)
	if err != nil {
		return domain.Actor{}, err
	}
	c, err := im.st.CredentialsByEmail(ctx, im.st.Reader(), strings.TrimSpace(email))
	if err != nil || c.User.PartnershipID != p.ID || !c.User.Active {
		return domain.Actor{}, domain.NotFound("user", email)
	}
	return actorOf(c, domain.ActorUser, "", nil), nil
}

// markings hands out the marking of each row: the import's, or the row's
// own classification and handling code over it, checked once per variant.
type markings struct {
	p      authz.Policy
	a      domain.Actor
	kind   domain.RecordKind
	base   domain.Marking
	hasC   bool // the import's marking names conditions a C row can use
	note   string
	cached map[importexport.MarkingCells]error
}

func (m *markings) of(c importexport.MarkingCells) (domain.Marking, error) {
	mk := m.base
	if c.Classification != "" {
		mk.Classification = c.Classification
	}
	if c.Handling != "" && c.Handling != mk.Handling {
		mk.Handling = c.Handling
		if c.Handling == domain.HandlingP {
			mk.ConditionAgencies, mk.ConditionTypes = nil, nil
		}
	}
	err, ok := m.cached[c]
	if !ok {
		if mk.Handling == domain.HandlingC && len(mk.ConditionAgencies)+len(mk.ConditionTypes) == 0 {
			err = errors.New("handling code C needs conditions: choose the agencies or agency types for the whole import")
		} else if perr := m.p.Can(m.a, authz.Create, m.kind, mk); perr != nil {
			err = errors.New("you cannot create records with this marking")
		}
		m.cached[c] = err
	}
	return mk, err
}

// importRun is the state of one import: reference data, the references
// seen so far, and the pending checks against the database.
type importRun struct {
	im      *Importer
	ctx     context.Context
	a       domain.Actor
	p       authz.Policy
	q       store.Queryer
	bulk    *store.Bulk // nil on a dry run
	probs   *problemList
	res     *RegisterImportResult
	marks   *markings
	today   time.Time
	label   string
	seen    map[string]int32 // references assigned by this file → row
	pending []pendingRef     // assigned references still to check against the database
	threats map[string]bool
	flags   map[string]bool
	// flagList and threatList name the codes in the order the reference
	// data lists them, for messages.
	flagList, threatList string
	units                map[string]string // ONS code → unit id
	agency               map[string]string // lower-case name or short name → id
	groups               map[string]store.NodeRef
	// entries are the audit entries of the batches written so far,
	// appended to the chain together as the import commits (writeAudit).
	entries []audit.Entry
}

type pendingRef struct {
	ref string
	row int32
}

// Import reads a file of kind in format from r and, unless opts.DryRun,
// stores its records for a. It returns domain.ErrForbidden when a may not
// create records of the kind, a *domain.ValidationError for a bad marking
// or header, and for bad rows a result listing every problem with an error
// wrapping ErrImportProblems; nothing is stored then.
func (im *Importer) Import(ctx context.Context, a domain.Actor, kind importexport.RegisterKind, format importexport.Format, r io.Reader, opts ImportOptions) (RegisterImportResult, error) {
	res := RegisterImportResult{Kind: kind, DryRun: opts.DryRun}
	p, err := im.Policy(ctx)
	if err != nil {
		return res, err
	}
	rk := recordKind(kind)
	if kind == "" || !p.Allowed(a, authz.Create, rk) {
		return res, domain.ErrForbidden
	}
	verr := &domain.ValidationError{}
	base, err := parseMarking(ctx, im.st, a, opts.Marking, verr)
	if err != nil {
		return res, err
	}
	if err := verr.Err(); err != nil {
		return res, err
	}
	src, err := importexport.OpenRows(r, format, opts.Sheet, opts.XLSX)
	if err != nil {
		verr.Add("file", "%s", capitalise(err.Error()))
		return res, verr
	}
	defer src.Close()
	if opts.MaxProblems <= 0 {
		opts.MaxProblems = 1000
	}
	now := im.st.Now()
	run := &importRun{im: im, ctx: ctx, a: a, p: p, res: &res, probs: &problemList{res: &res, max: opts.MaxProblems},
		marks: &markings{p: p, a: a, kind: rk, base: base, hasC: len(base.ConditionAgencies)+len(base.ConditionTypes) > 0,
			note: strings.TrimSpace(opts.Marking.HandlingNote), cached: map[importexport.MarkingCells]error{}},
		today: domain.UKDay(now), seen: map[string]int32{},
		label: opts.FileName}
	if err := run.loadReference(kind); err != nil {
		return res, err
	}
	body := func(ctx context.Context) error {
		run.ctx = ctx
		switch kind {
		case importexport.KindGroups:
			return run.groupsFile(src)
		case importexport.KindPeople:
			return run.peopleFile(src)
		case importexport.KindLinks:
			return run.linksFile(src)
		}
		return fmt.Errorf("import: unknown kind %q", kind)
	}
	if opts.DryRun {
		run.q = im.st.Reader()
		err = body(ctx)
	} else {
		err = im.st.BulkTx(ctx, a.PartnershipID, func(ctx context.Context, tx *sql.Tx, b *store.Bulk) error {
			run.q, run.bulk = tx, b
			if err := body(ctx); err != nil {
				return err
			}
			if run.probs.any() {
				return errRollback
			}
			if err := run.writeAudit(ctx, tx); err != nil {
				return err
			}
			if opts.Commit != nil {
				committed := res
				committed.Indexing = committed.queuesIndexing()
				return opts.Commit(ctx, tx, committed)
			}
			return nil
		})
	}
	var hv *domain.ValidationError
	switch {
	case errors.As(err, &hv):
		return res, err // header problems: the file was not read
	case errors.Is(err, errRollback), err == nil:
	default:
		res.Stored, res.Members = 0, 0
		return res, err
	}
	if run.probs.any() {
		res.Stored, res.Members = 0, 0
		return res, fmt.Errorf("%d rows checked, %d problems: %w", res.Rows, len(res.Problems)+res.MoreProblems, ErrImportProblems)
	}
	if opts.DryRun {
		res.Stored, res.Members = 0, 0
	} else {
		im.log.InfoContext(ctx, "register imported", "kind", string(kind), "rows", res.Rows, "stored", res.Stored, "links", res.Members)
		if res.queuesIndexing() {
			res.Indexing = true
			if im.index != nil {
				im.index.Wake()
			}
		}
	}
	return res, nil
}

// loadReference reads the small reference tables the rows are checked
// against.
func (run *importRun) loadReference(kind importexport.RegisterKind) error {
	ctx, st, pid := run.ctx, run.im.st, run.a.PartnershipID
	switch kind {
	case importexport.KindGroups:
		threats, err := st.Threats(ctx)
		if err != nil {
			return err
		}
		run.threats = map[string]bool{}
		codes := make([]string, 0, len(threats))
		for _, t := range threats {
			run.threats[t.Code] = true
			codes = append(codes, t.Code)
		}
		run.threatList = strings.Join(codes, ", ")
		units, err := st.OrgUnits(ctx, pid, "")
		if err != nil {
			return err
		}
		run.units = map[string]string{}
		for _, u := range units {
			run.units[u.Code] = u.ID
		}
		agencies, err := st.Agencies(ctx, pid)
		if err != nil {
			return err
		}
		run.agency = map[string]string{}
		for _, ag := range agencies {
			run.agency[strings.ToLower(ag.Name)] = ag.ID
			if ag.ShortName != "" {
				run.agency[strings.ToLower(ag.ShortName)] = ag.ID
			}
		}
	case importexport.KindPeople:
		flags, err := st.PersonFlagTypes(ctx)
		if err != nil {
			return err
		}
		run.flags = map[string]bool{}
		codes := make([]string, 0, len(flags))
		for _, f := range flags {
			run.flags[f.Code] = true
			codes = append(codes, f.Code)
		}
		run.flagList = strings.Join(codes, ", ")
	}
	return nil
}

// assign notes that row gives a new record reference ref, reporting a
// repeat within the file; the database is checked in batches by
// checkPending.
func (run *importRun) assign(row int, col, ref string) bool {
	if ref == "" {
		return true
	}
	if first, dup := run.seen[ref]; dup {
		run.probs.addf(row, col, "%s is already on row %d", ref, first)
		return false
	}
	run.seen[ref] = int32(row)
	run.pending = append(run.pending, pendingRef{ref: ref, row: int32(row)})
	return true
}

// checkPending checks the references assigned since the last check against
// the records already stored. Only records of the importer's agency that
// the importer may see count (decision 17): a reference held by a record
// they may not see behaves exactly as a free one.
func (run *importRun) checkPending(col string) error {
	if len(run.pending) == 0 {
		return nil
	}
	refs := make([]string, len(run.pending))
	for i, p := range run.pending {
		refs[i] = p.ref
	}
	taken, err := run.im.st.ReferencesTaken(run.ctx, run.q, run.p, run.a, refs)
	if err != nil {
		return err
	}
	for _, p := range run.pending {
		switch taken[p.ref] {
		case domain.NodeOCG:
			run.probs.addf(int(p.row), col, "%s is already the reference of a group your agency recorded", p.ref)
		case domain.NodeEntity:
			run.probs.addf(int(p.row), col, "%s is already the reference of a person or other record your agency recorded", p.ref)
		}
	}
	run.pending = run.pending[:0]
	return nil
}

// flush checks pending references and writes the buffered records, with
// one audit entry for the batch, when the buffer is full or at the end.
func (run *importRun) flush(final bool, refCol string) error {
	if run.bulk == nil || (!final && !run.bulk.Full()) {
		if final || len(run.pending) >= 1000 {
			return run.checkPending(refCol)
		}
		return nil
	}
	if err := run.checkPending(refCol); err != nil {
		return err
	}
	if run.probs.any() {
		// Nothing will be kept: stop writing, go on checking.
		run.bulk = nil
		return nil
	}
	f, err := run.bulk.Flush(run.ctx)
	if err != nil {
		return err
	}
	return run.audit(f)
}

// audit notes the audit entries of a batch just written, for writeAudit.
func (run *importRun) audit(f store.Flushed) error {
	from := ""
	if run.label != "" {
		from = " from " + run.label
	}
	var entries []audit.Entry
	if len(f.Groups) > 0 {
		entries = append(entries, audit.Entry{Operation: audit.Collection, RecordType: string(domain.KindOCG), RecordIDs: f.Groups,
			Label: fmt.Sprintf("Import of %d groups%s: %s to %s", len(f.Groups), from, f.GroupRefs[0], f.GroupRefs[len(f.GroupRefs)-1])})
	}
	if len(f.Entities) > 0 {
		entries = append(entries, audit.Entry{Operation: audit.Collection, RecordType: string(domain.KindEntity), RecordIDs: f.Entities,
			Label: fmt.Sprintf("Import of %d people%s: %s to %s", len(f.Entities), from, f.EntityRefs[0], f.EntityRefs[len(f.EntityRefs)-1])})
	}
	if len(f.Links) > 0 {
		entries = append(entries, audit.Entry{Operation: audit.Combination, RecordType: "link", RecordIDs: f.Links,
			Label: fmt.Sprintf("Import of %d links%s", len(f.Links), from)})
	}
	run.entries = append(run.entries, entries...)
	return nil
}

// writeAudit appends the entries of every batch to the partnership's
// chain in tx, once every row is stored and just before the import
// commits. Taking the chain's head locks it until the commit (on
// PostgreSQL), so taking it at the end rather than at the first batch
// leaves every other user's audited work (each record they open) free
// while a long import runs. AppendBatch writes the entries' record index
// in bulk; Append would index a batch's thousands of records one statement
// each.
func (run *importRun) writeAudit(ctx context.Context, tx *sql.Tx) error {
	meta := audit.MetaFrom(ctx)
	at := run.im.st.Now()
	evs := make([]audit.Event, len(run.entries))
	for i, e := range run.entries {
		evs[i] = audit.Event{At: at, ActorID: run.a.UserID, ActorName: run.a.DisplayName, AgencyID: run.a.AgencyID, AgencyName: run.a.AgencyName,
			Operation: e.Operation, RecordType: e.RecordType, RecordIDs: e.RecordIDs, Label: e.Label, RequestID: meta.RequestID, ClientAddr: meta.ClientAddr}
	}
	return run.im.alog.AppendBatch(ctx, run.im.st.Dialect(), tx, run.a.PartnershipID, evs)
}

func (run *importRun) groupsFile(src importexport.RowReader) error {
	rd, err := importexport.NewGroupReader(src, importexport.ReaderOptions{Today: run.today})
	if err != nil {
		return err
	}
	for {
		g, probs, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		run.res.Rows++
		run.probs.add(probs...)
		ok := len(probs) == 0
		o := domain.OCG{Reference: g.Reference, Name: g.Name, OperationName: g.OperationName, Summary: g.Summary, Status: g.Status,
			Ownership: g.Ownership, PrimaryThreat: g.PrimaryThreat, CreatedBy: run.a.UserID, HandlingNote: run.marks.note}
		if g.PrimaryThreat != "" && !run.threats[g.PrimaryThreat] {
			run.probs.addf(g.Row, "primary_threat", "%q is not a threat code; the codes are %s", g.PrimaryThreat, run.threatList)
			ok = false
		}
		for _, t := range g.Threats {
			if !run.threats[t] {
				run.probs.addf(g.Row, "threats", "%q is not a threat code; the codes are %s", t, run.threatList)
				ok = false
				break
			}
			o.Threats = append(o.Threats, t)
		}
		if g.HomeArea != "" {
			id, found := run.units[g.HomeArea]
			if !found {
				run.probs.addf(g.Row, "home_area", "%s is not an area of this partnership; import the areas first", g.HomeArea)
				ok = false
			}
			o.HomeUnitID = id
		}
		if g.LeadAgency != "" {
			id, found := run.agency[strings.ToLower(g.LeadAgency)]
			if !found {
				run.probs.addf(g.Row, "lead_agency", "%q is not an agency of this partnership", g.LeadAgency)
				ok = false
			}
			o.LeadAgencyID = id
		}
		m, merr := run.marks.of(g.Marking)
		if merr != nil && g.Name != "" {
			run.probs.addf(g.Row, "handling_code", "%s", merr)
			ok = false
		}
		o.Marking = m
		if m.Handling != domain.HandlingC {
			o.HandlingNote = ""
		}
		if !run.assign(g.Row, "reference", g.Reference) {
			ok = false
		}
		if ok && run.bulk != nil && !run.probs.any() {
			run.bulk.AddOCG(o, run.today)
			run.res.Stored++
		}
		if err := run.flush(false, "reference"); err != nil {
			return err
		}
	}
	return run.flush(true, "reference")
}

func (run *importRun) peopleFile(src importexport.RowReader) error {
	rd, err := importexport.NewPersonReader(src, importexport.ReaderOptions{Today: run.today})
	if err != nil {
		return err
	}
	if rd.Has("ocg_reference") {
		// The groups members may be added to: those the importer may see.
		// A partnership has thousands of groups at most.
		if err := run.loadGroups(); err != nil {
			return err
		}
	}
	for {
		pr, probs, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		run.res.Rows++
		run.probs.add(probs...)
		ok := len(probs) == 0
		e := domain.Entity{Reference: pr.Reference, Kind: domain.EntityPerson, Name: pr.Name, Aliases: pr.Aliases, Nicknames: pr.Nicknames,
			DOB: pr.DOB, Gender: pr.Gender, CreatedBy: run.a.UserID, HandlingNote: run.marks.note}
		for _, f := range pr.Flags {
			if !run.flags[f] {
				run.probs.addf(pr.Row, "flags", "%q is not a flag; the flags are %s", f, run.flagList)
				ok = false
				break
			}
			e.Flags = append(e.Flags, f)
		}
		m, merr := run.marks.of(pr.Marking)
		if merr != nil && pr.Name != "" {
			run.probs.addf(pr.Row, "handling_code", "%s", merr)
			ok = false
		}
		e.Marking = m
		if m.Handling != domain.HandlingC {
			e.HandlingNote = ""
		}
		var group store.NodeRef
		if pr.OCGReference != "" {
			g, found := run.groups[pr.OCGReference]
			switch {
			case !found:
				run.probs.addf(pr.Row, "ocg_reference", "no group you can see has the reference %s", pr.OCGReference)
				ok = false
			case g.Ambiguous:
				run.probs.addf(pr.Row, "ocg_reference", "%s", ambiguousRef(g.Reference))
				ok = false
			case !run.mayAddMembers(g):
				run.probs.addf(pr.Row, "ocg_reference", "you cannot add members to %s: its originating agency's analysts or its LRO or SRO can", g.Reference)
				ok = false
			}
			group = g
		}
		if !run.assign(pr.Row, "reference", pr.Reference) {
			ok = false
		}
		if ok && run.bulk != nil && !run.probs.any() {
			id := run.bulk.AddEntity(e)
			run.res.Stored++
			if group.ID != "" {
				run.bulk.AddLink(domain.Link{FromKind: domain.NodeEntity, FromID: id, ToKind: domain.NodeOCG, ToID: group.ID, Type: domain.LinkMemberOf,
					Role: pr.Role, SourceRef: pr.SourceRef, Confidence: pr.Confidence, CreatedBy: run.a.UserID})
				run.res.Members++
			}
		}
		if err := run.flush(false, "reference"); err != nil {
			return err
		}
	}
	return run.flush(true, "reference")
}

// loadGroups reads the references of every group the importer may see.
func (run *importRun) loadGroups() error {
	list, err := run.im.st.NewOCGQuery(run.p, run.a, authz.View).List(run.ctx, 0, 0)
	if err != nil {
		return err
	}
	nodes := make([]store.NodeRef, len(list))
	for i, o := range list {
		nodes[i] = store.NodeRef{Kind: domain.NodeOCG, ID: o.ID, Reference: o.Reference, Marking: o.Marking, Status: o.Status,
			LRO: o.LROUserID, SRO: o.SROUserID}
	}
	run.groups = store.ChooseByReference(nodes, run.a.AgencyID)
	return nil
}

// ambiguousRef is the problem with a reference that several records the
// importer may see carry, none of them (or more than one) from the
// importer's agency. Such records may have no other reference (an imported
// record keeps its file's), so the way out is the record's page.
func ambiguousRef(ref string) string {
	return fmt.Sprintf("more than one record you can see has the reference %s and not exactly one of them is your agency's: "+
		"add this on the record's page in Alliance instead", ref)
}

// mayAddMembers is the register's rule for changing a group's members:
// its originating agency's analysts, or its LRO or SRO, while it is not
// archived.
func (run *importRun) mayAddMembers(g store.NodeRef) bool {
	if g.Status == domain.StatusArchived {
		return false
	}
	if run.p.Can(run.a, authz.Edit, domain.KindOCG, g.Marking) == nil {
		return true
	}
	return (run.a.UserID == g.LRO || run.a.UserID == g.SRO) && run.p.Allowed(run.a, authz.Edit, domain.KindOCG)
}

// linksChunk is how many link rows are resolved against the database at a
// time.
const linksChunk = 500

func (run *importRun) linksFile(src importexport.RowReader) error {
	if !run.p.Allowed(run.a, authz.Create, domain.KindEntity) {
		return domain.ErrForbidden
	}
	rd, err := importexport.NewLinkReader(src, importexport.ReaderOptions{Today: run.today})
	if err != nil {
		return err
	}
	chunk := make([]importexport.LinkRow, 0, linksChunk)
	for {
		l, probs, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		run.res.Rows++
		run.probs.add(probs...)
		if len(probs) == 0 {
			chunk = append(chunk, l)
		}
		if len(chunk) == linksChunk {
			if err := run.linkChunk(chunk); err != nil {
				return err
			}
			chunk = chunk[:0]
		}
	}
	if err := run.linkChunk(chunk); err != nil {
		return err
	}
	return run.flush(true, "")
}

// linkChunk resolves the references of a chunk of good link rows to
// records the importer may see, and buffers the links.
func (run *importRun) linkChunk(rows []importexport.LinkRow) error {
	if len(rows) == 0 {
		return nil
	}
	refs := make([]string, 0, 2*len(rows))
	for _, l := range rows {
		refs = append(refs, l.From, l.To)
	}
	nodes, err := run.im.st.NodesByReference(run.ctx, run.q, run.p, run.a, authz.View, refs)
	if err != nil {
		return err
	}
	for _, l := range rows {
		from, okFrom := nodes[l.From]
		to, okTo := nodes[l.To]
		ok := true
		if !okFrom {
			run.probs.addf(l.Row, "from_reference", "no record you can see has the reference %s", l.From)
			ok = false
		}
		if !okTo {
			run.probs.addf(l.Row, "to_reference", "no record you can see has the reference %s", l.To)
			ok = false
		}
		for _, end := range []struct {
			col  string
			node store.NodeRef
		}{{"from_reference", from}, {"to_reference", to}} {
			if ok && end.node.Ambiguous {
				run.probs.addf(l.Row, end.col, "%s", ambiguousRef(end.node.Reference))
				ok = false
			}
		}
		if ok && l.Type == domain.LinkMemberOf {
			switch {
			case from.Kind != domain.NodeEntity || from.EntityKind != domain.EntityPerson || to.Kind != domain.NodeOCG:
				run.probs.addf(l.Row, "type", "only a person can be a member, and only of a group")
				ok = false
			case !run.mayAddMembers(to):
				run.probs.addf(l.Row, "to_reference", "you cannot add members to %s", to.Reference)
				ok = false
			}
		} else if ok {
			// Any other link with a group at an end follows the same rule.
			for _, end := range []struct {
				col  string
				node store.NodeRef
			}{{"from_reference", from}, {"to_reference", to}} {
				if end.node.Kind == domain.NodeOCG && !run.mayAddMembers(end.node) {
					run.probs.addf(l.Row, end.col, "you cannot link records to %s", end.node.Reference)
					ok = false
				}
			}
		}
		if ok && run.bulk != nil && !run.probs.any() {
			run.bulk.AddLink(domain.Link{FromKind: from.Kind, FromID: from.ID, ToKind: to.Kind, ToID: to.ID, Type: l.Type, Role: l.Role,
				ValidFrom: l.ValidFrom, ValidTo: l.ValidTo, SourceRef: l.SourceRef, Confidence: l.Confidence, Note: l.Note, CreatedBy: run.a.UserID})
			run.res.Stored++
			run.res.Members++
		}
		if err := run.flush(false, ""); err != nil {
			return err
		}
	}
	return nil
}

// checkDisclosure validates why and to whom an export goes and what it
// relies on (an agreement in force that a's agency is party to, or an ad
// hoc justification approved by another named user with authority), for
// every export, returning the agreement's reference and the approver's
// user id. Problems are a *domain.ValidationError naming the fields.
func checkDisclosure(ctx context.Context, st *store.Store, a domain.Actor, d *Disclosure, now time.Time) (isaRef, approver string, err error) {
	verr := &domain.ValidationError{}
	d.Purpose, d.Recipients = strings.TrimSpace(d.Purpose), strings.TrimSpace(d.Recipients)
	if d.Purpose == "" || len(d.Purpose) > 500 {
		verr.Add("purpose", "Say why you are exporting these records (500 characters or fewer)")
	}
	if d.Recipients == "" || len(d.Recipients) > 500 {
		verr.Add("recipients", "Say who will receive the export (500 characters or fewer)")
	}
	switch {
	case d.ISAID == "" && !d.AdHoc:
		verr.Add("isa", "Choose the information sharing agreement this export relies on, or make an approved ad hoc disclosure")
	case d.ISAID != "":
		isas, err := st.ISAs(ctx, a.PartnershipID)
		if err != nil {
			return "", "", err
		}
		found := false
		for _, i := range isas {
			if i.ID != d.ISAID {
				continue
			}
			found = true
			if ok, why := i.Usable(now); !ok {
				verr.Add("isa", "You cannot rely on %s: %s. Choose another agreement or make an approved ad hoc disclosure", i.Reference, why)
			} else if !i.HasParty(a.AgencyID) {
				verr.Add("isa", "Your agency is not a party to %s", i.Reference)
			}
			isaRef = i.Reference
		}
		if !found {
			verr.Add("isa", "Choose an information sharing agreement")
		}
	default:
		d.Justification, d.ApproverEmail = strings.TrimSpace(d.Justification), strings.TrimSpace(d.ApproverEmail)
		if d.Justification == "" || len(d.Justification) > 1000 {
			verr.Add("justification", "Without an agreement, give the lawful basis for this disclosure (1,000 characters or fewer)")
		}
		c, err := st.CredentialsByEmail(ctx, st.Reader(), d.ApproverEmail)
		switch {
		case d.ApproverEmail == "":
			verr.Add("approver", "Without an agreement, name who approved this disclosure")
		case err != nil || c.User.PartnershipID != a.PartnershipID || !c.User.Active:
			verr.Add("approver", "%s is not an active user of this partnership", d.ApproverEmail)
		case c.User.ID == a.UserID:
			verr.Add("approver", "Someone other than you must approve an ad hoc disclosure")
		case c.ServiceAccount || !c.User.HasAnyRole(domain.RoleLRO, domain.RoleAnalyst, domain.RoleAdministrator, domain.RoleAuditor):
			verr.Add("approver", "%s cannot approve disclosures: choose a lead responsible officer, analyst, administrator or data protection officer", d.ApproverEmail)
		default:
			approver = c.User.ID
		}
	}
	return isaRef, approver, verr.Err()
}

// tableWriter writes rows of cells as CSV or as one XLSX sheet, streamed.
type tableWriter interface {
	Write(cells []string) error
	// WriteValues writes a row whose numbers stay numbers in a workbook.
	WriteValues(cells []any) error
	Close() error
}

type csvTable struct{ w *csv.Writer }

func (c csvTable) Write(cells []string) error { return c.w.Write(cells) }
func (c csvTable) WriteValues(cells []any) error {
	out := make([]string, len(cells))
	for i, v := range cells {
		out[i] = fmt.Sprint(v)
	}
	return c.w.Write(out)
}
func (c csvTable) Close() error { c.w.Flush(); return c.w.Error() }

type xlsxTable struct {
	f   *excelize.File
	sw  *excelize.StreamWriter
	out io.Writer
	row int
	buf []any
}

func newXLSXTable(out io.Writer, sheet string) (*xlsxTable, error) {
	f := excelize.NewFile()
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		f.Close()
		return nil, fmt.Errorf("export: %w", err)
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("export: %w", err)
	}
	return &xlsxTable{f: f, sw: sw, out: out}, nil
}

func (x *xlsxTable) Write(cells []string) error {
	x.row++
	x.buf = x.buf[:0]
	for _, c := range cells {
		x.buf = append(x.buf, c)
	}
	cell, err := excelize.CoordinatesToCellName(1, x.row)
	if err != nil {
		return err
	}
	return x.sw.SetRow(cell, x.buf)
}

func (x *xlsxTable) WriteValues(cells []any) error {
	x.row++
	cell, err := excelize.CoordinatesToCellName(1, x.row)
	if err != nil {
		return err
	}
	return x.sw.SetRow(cell, cells)
}

func (x *xlsxTable) Close() error {
	defer x.f.Close()
	if err := x.sw.Flush(); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if err := x.f.Write(x.out); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return nil
}

// exportPage is how many records an export reads at a time.
const exportPage = 1000

// ExportResult says what an export wrote: how many records, under which
// protective marking (the highest of the records'), which the file's name
// must carry too.
type ExportResult struct {
	Rows    int
	Marking domain.Classification
}

// ExportContentType is the media type of an export file in format.
func ExportContentType(format importexport.Format) string {
	if format == importexport.XLSX {
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	return "text/csv; charset=utf-8"
}

// ExportFileName is the name an export file of kind, made at now under
// marking, is downloaded as: the marking is in the name as well as in
// the file.
func ExportFileName(kind importexport.RegisterKind, marking domain.Classification, format importexport.Format, now time.Time) string {
	return fmt.Sprintf("alliance-%s-%s-%s.%s", kind, marking, now.UTC().Format("2006-01-02"), format)
}

// CheckExport checks, reading no records and logging nothing, that a may
// export kind as format with disclosure d at now: it returns
// domain.ErrForbidden for an actor who may not export kind at all, and a
// *domain.ValidationError naming the fields for a disclosure Export would
// refuse.
func (im *Importer) CheckExport(ctx context.Context, a domain.Actor, kind importexport.RegisterKind, format importexport.Format, d Disclosure, now time.Time) error {
	if !im.MayExport(ctx, a, kind) {
		return domain.ErrForbidden
	}
	if format != importexport.CSV && format != importexport.XLSX {
		verr := &domain.ValidationError{}
		verr.Add("format", "Choose CSV or XLSX")
		return verr
	}
	_, _, err := checkDisclosure(ctx, im.st, a, &d, now)
	return err
}

// Export writes, as CSV or XLSX, the groups, people or links a may export,
// under the protective marking (the first and last row), and returns how
// many records it wrote and the marking. Every cell is neutralised against formula
// injection. The export is recorded as a disclosure of every record in it,
// with its purpose and recipients, before anything is written; actors who
// may not export get domain.ErrForbidden and nothing is written.
func (im *Importer) Export(ctx context.Context, a domain.Actor, kind importexport.RegisterKind, format importexport.Format, d Disclosure, w io.Writer, now time.Time) (ExportResult, error) {
	return im.export(ctx, a, kind, format, d, w, now, nil)
}

// exportCommit keeps a finished export file with its disclosure: it is
// called inside the transaction that records the disclosure.
type exportCommit func(ctx context.Context, tx *sql.Tx, res ExportResult) error

// export is Export. With a nil commit it records the disclosure before
// it writes the file to w, which may be the client; with a commit it
// writes the whole file to w first (a buffer) and then records the
// disclosure and calls commit in one transaction, so that the file is
// kept if and only if its disclosure is logged.
func (im *Importer) export(ctx context.Context, a domain.Actor, kind importexport.RegisterKind, format importexport.Format, d Disclosure, w io.Writer, now time.Time, commit exportCommit) (ExportResult, error) {
	p, err := im.Policy(ctx)
	if err != nil {
		return ExportResult{}, err
	}
	if !im.MayExport(ctx, a, kind) {
		return ExportResult{}, domain.ErrForbidden
	}
	if format != importexport.CSV && format != importexport.XLSX {
		verr := &domain.ValidationError{}
		verr.Add("format", "Choose CSV or XLSX")
		return ExportResult{}, verr
	}
	isaRef, approver, err := checkDisclosure(ctx, im.st, a, &d, now)
	if err != nil {
		return ExportResult{}, err
	}
	// First pass: what will be disclosed, and its highest classification.
	var ids []string
	marking := domain.Official
	note := func(c domain.Classification) {
		if c == domain.OfficialSensitive {
			marking = c
		}
	}
	var groups []domain.OCG
	var links []store.ExportLink
	rk := recordKind(kind)
	switch kind {
	case importexport.KindGroups:
		groups, err = im.st.NewOCGQuery(p, a, authz.Export).ByName().List(ctx, ExportLimit, 0)
		if err != nil {
			return ExportResult{}, err
		}
		for _, o := range groups {
			ids = append(ids, o.ID)
			note(o.Marking.Classification)
		}
	case importexport.KindPeople:
		for off := 0; len(ids) < ExportLimit; off += exportPage {
			page, err := im.st.NewEntityQuery(p, a, authz.Export).WithKind(domain.EntityPerson).List(ctx, exportPage, off)
			if err != nil {
				return ExportResult{}, err
			}
			for _, e := range page {
				ids = append(ids, e.ID)
				note(e.Marking.Classification)
			}
			if len(page) < exportPage {
				break
			}
		}
	case importexport.KindLinks:
		links, err = im.st.ExportLinks(ctx, p, a, ExportLimit)
		if err != nil {
			return ExportResult{}, err
		}
		marking = domain.OfficialSensitive // links join records; treat the whole as sensitive
		for _, l := range links {
			ids = append(ids, l.ID)
		}
		rk = "link"
	default:
		return ExportResult{}, domain.ErrForbidden
	}
	var res ExportResult
	record := func() error {
		return im.st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
			if err := recordDisclosure(ctx, tx, im.st, im.alog, a, d, approver, disclosed{RecordType: string(rk), RecordIDs: ids, RecordCount: len(ids),
				Label: fmt.Sprintf("%s export of %d %s", strings.ToUpper(string(format)), len(ids), kind)}, now); err != nil {
				return err
			}
			if commit != nil {
				return commit(ctx, tx, res)
			}
			return nil
		})
	}
	if commit == nil {
		if err := record(); err != nil {
			return ExportResult{}, err
		}
	}
	var tw tableWriter
	if format == importexport.XLSX {
		x, err := newXLSXTable(w, string(kind))
		if err != nil {
			return ExportResult{}, err
		}
		tw = x
	} else {
		tw = csvTable{w: csv.NewWriter(w)}
	}
	write := func(cells ...string) error {
		for i := range cells {
			cells[i] = importexport.SafeCell(cells[i])
		}
		return tw.Write(cells)
	}
	if err := write(string(marking)); err != nil {
		return ExportResult{}, err
	}
	if err := write(fmt.Sprintf("%s by %s (%s) on %s UTC for: %s. Recipients: %s. Relies on: %s.", importexport.ExportPreamble,
		a.DisplayName, a.AgencyName, now.UTC().Format("02/01/2006 15:04"), d.Purpose, d.Recipients, reliesOn(isaRef, d.Justification))); err != nil {
		return ExportResult{}, err
	}
	cols, _ := importexport.Columns(kind)
	if err := write(append([]string(nil), cols...)...); err != nil {
		return ExportResult{}, err
	}
	n := 0
	switch kind {
	case importexport.KindGroups:
		n, err = im.writeGroups(ctx, a, groups, write)
	case importexport.KindPeople:
		n, err = im.writePeople(ctx, p, a, ids, write)
	case importexport.KindLinks:
		for _, l := range links {
			if err = write(l.FromRef, l.ToRef, string(l.Type), string(l.Role), ukDay(l.ValidFrom), ukDay(l.ValidTo), l.SourceRef,
				string(l.Confidence), l.Note); err != nil {
				break
			}
			n++
		}
	}
	res = ExportResult{Rows: n, Marking: marking}
	if err != nil {
		return res, err
	}
	if err := write(string(marking)); err != nil {
		return res, err
	}
	if err := tw.Close(); err != nil {
		return res, err
	}
	if commit != nil {
		if err := record(); err != nil {
			return ExportResult{}, err
		}
	}
	return res, nil
}

func ukDay(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.Format("02/01/2006")
}

func (im *Importer) writeGroups(ctx context.Context, a domain.Actor, groups []domain.OCG, write func(...string) error) (int, error) {
	ids := make([]string, len(groups))
	for i, o := range groups {
		ids[i] = o.ID
	}
	threats, err := im.st.OCGThreatCodes(ctx, ids)
	if err != nil {
		return 0, err
	}
	units, err := im.st.OrgUnits(ctx, a.PartnershipID, "")
	if err != nil {
		return 0, err
	}
	code := map[string]string{}
	for _, u := range units {
		code[u.ID] = u.Code
	}
	for i, o := range groups {
		if err := write(o.Reference, o.Name, o.OperationName, o.PrimaryThreat, strings.Join(threats[o.ID], ";"), string(o.Ownership),
			string(o.Status), code[o.HomeUnitID], o.LeadAgencyName, o.Summary, string(o.Marking.Classification), string(o.Marking.Handling)); err != nil {
			return i, err
		}
	}
	return len(groups), nil
}

// writePeople writes the people disclosed, exactly the ids logged, a page
// at a time.
func (im *Importer) writePeople(ctx context.Context, p authz.Policy, a domain.Actor, ids []string, write func(...string) error) (int, error) {
	n := 0
	for start := 0; start < len(ids); start += exportPage {
		page, err := im.st.NewEntityQuery(p, a, authz.Export).WithIDs(ids[start:min(start+exportPage, len(ids))]).List(ctx, 0, 0)
		if err != nil {
			return n, err
		}
		for _, e := range page {
			if err := write(e.Reference, e.Name, strings.Join(e.Aliases, ";"), strings.Join(e.Nicknames, ";"), ukDay(e.DOB), e.Gender,
				strings.Join(e.Flags, ";"), "", "", "", "", string(e.Marking.Classification), string(e.Marking.Handling)); err != nil {
				return n, err
			}
			n++
		}
	}
	return n, nil
}
