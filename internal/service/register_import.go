package service

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

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
	st   *store.Store
	log  *slog.Logger
	alog *audit.Log
}

// NewImporter returns the service. Every collection and disclosure it does
// is written to alog.
func NewImporter(st *store.Store, log *slog.Logger, alog *audit.Log) *Importer {
	if log == nil {
		log = slog.Default()
	}
	return &Importer{st: st, log: log, alog: alog}
}

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
	run := im.newRun(ctx, a, p, rk, base, &res, opts)
	if err := run.loadReference(kind); err != nil {
		return res, err
	}
	err = run.execute(kind, src, opts)
	return im.finish(ctx, kind, run, err, opts.DryRun)
}

// newRun starts the state of an import by a of records of kind rk under
// the marking base, reporting into res.
func (im *Importer) newRun(ctx context.Context, a domain.Actor, p authz.Policy, rk domain.RecordKind, base domain.Marking, res *RegisterImportResult,
	opts ImportOptions) *importRun {
	if opts.MaxProblems <= 0 {
		opts.MaxProblems = 1000
	}
	now := im.st.Now()
	return &importRun{im: im, ctx: ctx, a: a, p: p, res: res, probs: &problemList{res: res, max: opts.MaxProblems},
		marks: &markings{p: p, a: a, kind: rk, base: base, hasC: len(base.ConditionAgencies)+len(base.ConditionTypes) > 0,
			note: strings.TrimSpace(opts.Marking.HandlingNote), cached: map[importexport.MarkingCells]error{}},
		today: domain.UKDay(now), seen: map[string]int32{},
		label: opts.FileName}
}

// execute reads every row of src: on a dry run against the database as
// it is, otherwise in one bulk transaction that stores the rows, their
// audit entries and (opts.Commit) the job's result, or, if any row is
// bad, nothing.
func (run *importRun) execute(kind importexport.RegisterKind, src importexport.RowReader, opts ImportOptions) error {
	im, ctx, res := run.im, run.ctx, run.res
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
		return body(ctx)
	}
	return im.st.BulkTx(ctx, run.a.PartnershipID, func(ctx context.Context, tx *sql.Tx, b *store.Bulk) error {
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
			return opts.Commit(ctx, tx, *res)
		}
		return nil
	})
}

// finish turns the outcome err of run's execute into Import's result:
// nothing stored for a dry run, a bad file or a failure.
func (im *Importer) finish(ctx context.Context, kind importexport.RegisterKind, run *importRun, err error, dryRun bool) (RegisterImportResult, error) {
	res := run.res
	var hv *domain.ValidationError
	switch {
	case errors.As(err, &hv):
		return *res, err // header problems: the file was not read
	case errors.Is(err, errRollback), err == nil:
	default:
		res.Stored, res.Members = 0, 0
		return *res, err
	}
	if run.probs.any() {
		res.Stored, res.Members = 0, 0
		return *res, fmt.Errorf("%s checked, %s: %w", domain.Count(res.Rows, "row", "rows"), domain.Count(len(res.Problems)+res.MoreProblems, "problem", "problems"),
			ErrImportProblems)
	}
	if dryRun {
		res.Stored, res.Members = 0, 0
	} else {
		im.log.InfoContext(ctx, "register imported", "kind", string(kind), "rows", res.Rows, "stored", res.Stored, "links", res.Members)
	}
	return *res, nil
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
	run.seen[ref] = int32(row)                                               //nolint:gosec // the upload size limit keeps a file far below 2^31 rows
	run.pending = append(run.pending, pendingRef{ref: ref, row: int32(row)}) //nolint:gosec // as above
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
