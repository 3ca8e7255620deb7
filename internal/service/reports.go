package service

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"strings"
	"unicode/utf8"

	"alliance/internal/audit"
	"alliance/internal/authz"
	"alliance/internal/domain"
	"alliance/internal/store"
)

// Reports is the information reports use case: submit, list, search, read
// and export, each under the access policy.
type Reports struct {
	policyUser
	st   *store.Store
	log  *slog.Logger
	alog *audit.Log
}

// NewReports returns the service. Every collection, consultation and
// disclosure it does is written to alog.
func NewReports(st *store.Store, log *slog.Logger, alog *audit.Log) *Reports {
	if log == nil {
		log = slog.Default()
	}
	return &Reports{st: st, log: log, alog: alog}
}

// Policy returns the access policy built from the current role permissions.
func (r *Reports) Policy(ctx context.Context) (authz.Policy, error) {
	return r.policyOf(ctx, r.st)
}

// Allowed reports whether a may do act to information reports at all.
func (r *Reports) Allowed(ctx context.Context, a domain.Actor, act authz.Action) bool {
	p, err := r.Policy(ctx)
	return err == nil && p.Allowed(a, act, domain.KindInfoReport)
}

// Counts of a report list stop at ListCountLimit, and of a search at
// SearchCountLimit: past them the page says "more than", and only that
// many can be paged through (add words to narrow a search). Counting half
// a million matches would cost more than the page itself.
const (
	ListCountLimit   = 10000
	SearchCountLimit = 200
)

// ReportPage is one page of a list.
type ReportPage struct {
	Items []domain.InfoReport
	// Total is how many reports match, up to the count limit; More says
	// more than that match.
	Total       int
	More        bool
	Page, Pages int
	PerPage     int
	Query       string
	// CanCreate and CanExport say what else the actor may do, decided by the
	// same policy as the list.
	CanCreate, CanExport bool
}

// List returns page (from 1) of the reports a may see, matching query when
// it is not "". Total counts only what a may see.
func (r *Reports) List(ctx context.Context, a domain.Actor, query string, page, perPage int) (ReportPage, error) {
	p, err := r.Policy(ctx)
	if err != nil {
		return ReportPage{}, err
	}
	act := authz.List
	if strings.TrimSpace(query) != "" {
		act = authz.Search
	}
	if !p.Allowed(a, act, domain.KindInfoReport) {
		return ReportPage{}, domain.ErrForbidden
	}
	why := "List of information reports"
	if act == authz.Search {
		why = "Search of information reports"
	}
	why, err = listPurpose(a, why)
	if err != nil {
		return ReportPage{}, err
	}
	if perPage <= 0 || perPage > 100 {
		perPage = 25
	}
	page = max(page, 1)
	limit := ListCountLimit
	if act == authz.Search {
		limit = SearchCountLimit
	}
	items, total, more, err := r.st.NewInfoReportQuery(p, a, act).WithSearch(query).Page(ctx, perPage, (page-1)*perPage, limit)
	if err != nil {
		return ReportPage{}, err
	}
	isa, system, err := r.systemRead(ctx, a)
	if err != nil {
		return ReportPage{}, err
	}
	if len(items) > 0 {
		// Titles on a list are a consultation of those records. The search
		// words are not logged: they may themselves be personal data.
		ids := make([]string, len(items))
		for i, it := range items {
			ids[i] = it.ID
		}
		err := r.st.InGroupTx(ctx, a.PartnershipID, func(ctx context.Context, tx *sql.Tx) error {
			return r.logRead(ctx, tx, a, ids, fmt.Sprintf("page %d", page), why, isa, system)
		})
		if err != nil {
			return ReportPage{}, err
		}
	}
	pages := max((total+perPage-1)/perPage, 1)
	return ReportPage{Items: items, Total: total, More: more, Page: page, Pages: pages, PerPage: perPage, Query: strings.TrimSpace(query),
		CanCreate: p.Allowed(a, authz.Create, domain.KindInfoReport), CanExport: p.Allowed(a, authz.Export, domain.KindInfoReport)}, nil
}

// systemRead checks that a service account's read relies on a sharing
// agreement in force, returning it. Other actors need none.
func (r *Reports) systemRead(ctx context.Context, a domain.Actor) (domain.ISA, bool, error) {
	return readLog{st: r.st, alog: r.alog}.systemRead(ctx, a)
}

// ErrAgreementNotInForce means a service account's sharing agreement has
// expired, been suspended or withdrawn, or does not cover its agency: its
// reads stop until an administrator gives it a token under one in force.
var ErrAgreementNotInForce = fmt.Errorf("the sharing agreement this system relies on is not in force: %w", domain.ErrForbidden)

// logRead records a read of records: a consultation, or for a partner
// system a disclosure under its agreement with a disclosure record.
func (r *Reports) logRead(ctx context.Context, tx *sql.Tx, a domain.Actor, ids []string, label, why string, isa domain.ISA, system bool) error {
	return readLog{st: r.st, alog: r.alog}.append(ctx, tx, a, audit.Entry{Operation: audit.Consultation, RecordType: string(domain.KindInfoReport),
		RecordIDs: ids, Label: label, Justification: why}, isa, system)
}

// PurposeNeeded is returned by View when the actor must say why they are
// opening a record they are not working on. It carries what the prompt may
// show: the record's reference and title, which the actor may see.
type PurposeNeeded struct {
	ID, Reference, Title string
}

func (e *PurposeNeeded) Error() string { return "a purpose is needed to open " + e.Reference }

// View returns the report with id if a may see it (not-found otherwise) and
// logs the consultation before returning it. Someone who did not write the
// report must give a purpose once per session (see GivePurpose), else View
// returns a *PurposeNeeded and logs nothing. API tokens cannot answer a
// prompt: their reads carry the request's or the token's purpose, and
// without one View returns ErrPurposeMissing and logs nothing.
func (r *Reports) View(ctx context.Context, a domain.Actor, id string) (domain.InfoReport, error) {
	p, err := r.Policy(ctx)
	if err != nil {
		return domain.InfoReport{}, err
	}
	rep, err := r.st.NewInfoReportQuery(p, a, authz.View).WithID(id).One(ctx)
	if err != nil {
		return domain.InfoReport{}, err
	}
	isa, system, err := r.systemRead(ctx, a)
	if err != nil {
		return domain.InfoReport{}, err
	}
	why, err := readPurpose(ctx, r.st, a, rep.ID, rep.CreatedBy, rep.Reference, rep.Title)
	if err != nil {
		return domain.InfoReport{}, err
	}
	err = r.st.InGroupTx(ctx, a.PartnershipID, func(ctx context.Context, tx *sql.Tx) error {
		return r.logRead(ctx, tx, a, []string{rep.ID}, rep.Reference, why, isa, system)
	})
	if err != nil {
		return domain.InfoReport{}, err
	}
	return rep, nil
}

// Purposes lists the purposes a user may give.
func (r *Reports) Purposes(ctx context.Context) ([]store.Purpose, error) { return r.st.Purposes(ctx) }

// GivePurpose records why a is opening report id, for the rest of their
// session. It checks a may see the report and the purpose is one of the
// list (with an explanation for "other").
func (r *Reports) GivePurpose(ctx context.Context, a domain.Actor, id, purpose, detail string) error {
	p, err := r.Policy(ctx)
	if err != nil {
		return err
	}
	if _, err := r.st.NewInfoReportQuery(p, a, authz.View).WithID(id).One(ctx); err != nil {
		return err
	}
	return recordPurpose(ctx, r.st, a, id, purpose, detail)
}

// recordPurpose records, for the rest of a's session, why a is opening
// record id (which the caller has checked a may see): purpose must be one
// of the list, with an explanation for "other". A bad choice is a
// *domain.ValidationError naming purpose or detail.
func recordPurpose(ctx context.Context, st *store.Store, a domain.Actor, id, purpose, detail string) error {
	purposes, err := st.Purposes(ctx)
	if err != nil {
		return err
	}
	verr := &domain.ValidationError{}
	name := ""
	for _, x := range purposes {
		if x.Code == purpose {
			name = x.Name
		}
	}
	detail = strings.TrimSpace(detail)
	switch {
	case name == "":
		verr.Add("purpose", "Choose why you are opening this record")
	case purpose == "other" && detail == "":
		verr.Add("detail", "Explain why you are opening this record")
	case utf8.RuneCountInString(detail) > 500:
		verr.Add("detail", "The explanation must be 500 characters or fewer")
	}
	if err := verr.Err(); err != nil {
		return err
	}
	if purpose == "other" {
		name = "Other"
	}
	return st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		return st.SetSessionPurpose(ctx, tx, a.SessionID, id, purpose, name, detail)
	})
}

// ReportInput is a new report as a form or API body gives it.
type ReportInput struct {
	Title, Body               string
	SourceGrade, IntelGrade   string
	Classification            string
	Handling                  string
	HandlingConditions        string
	ConditionAgencies         []string // agency IDs
	ConditionTypes            []string // agency type codes
	Restricted                bool
	NamedAgencies, NamedUsers []string // agency IDs; user e-mail addresses
}

// Create validates in and stores a report from a's agency.
func (r *Reports) Create(ctx context.Context, a domain.Actor, in ReportInput) (domain.InfoReport, error) {
	rep, err := r.prepare(ctx, a, in)
	if err != nil {
		return rep, err
	}
	err = r.st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error { return r.insert(ctx, tx, a, &rep) })
	return rep, err
}

// insert stores a prepared report in tx with its collection entry.
func (r *Reports) insert(ctx context.Context, tx *sql.Tx, a domain.Actor, rep *domain.InfoReport) error {
	rep.ID, rep.Reference = "", ""
	if err := r.st.InsertInfoReport(ctx, tx, rep); err != nil {
		return err
	}
	_, err := r.alog.Append(ctx, tx, a, audit.MetaFrom(ctx), audit.Entry{Operation: audit.Collection, RecordType: string(domain.KindInfoReport),
		RecordIDs: []string{rep.ID}, Label: rep.Reference})
	return err
}

// checkReportText checks a report's title (1 to 200 characters) and
// text (1 to 20,000), already trimmed.
func checkReportText(verr *domain.ValidationError, title, body string) {
	switch n := utf8.RuneCountInString(title); {
	case n == 0:
		verr.Add("title", "Enter a title")
	case n > 200:
		verr.Add("title", "Title must be 200 characters or fewer")
	}
	switch n := utf8.RuneCountInString(body); {
	case n == 0:
		verr.Add("body", "Enter the information")
	case n > 20000:
		verr.Add("body", "Information must be 20,000 characters or fewer")
	}
}

// prepare validates in as a report a may write, or returns a
// *domain.ValidationError naming the fields.
func (r *Reports) prepare(ctx context.Context, a domain.Actor, in ReportInput) (domain.InfoReport, error) {
	p, err := r.Policy(ctx)
	if err != nil {
		return domain.InfoReport{}, err
	}
	if !p.Allowed(a, authz.Create, domain.KindInfoReport) {
		return domain.InfoReport{}, domain.ErrForbidden
	}
	verr := &domain.ValidationError{}
	rep := domain.InfoReport{Title: strings.TrimSpace(in.Title), Body: strings.TrimSpace(in.Body), CreatedBy: a.UserID,
		SourceGrade: strings.TrimSpace(in.SourceGrade), IntelGrade: strings.ToUpper(strings.TrimSpace(in.IntelGrade)),
		HandlingConditions: strings.TrimSpace(in.HandlingConditions)}
	checkReportText(verr, rep.Title, rep.Body)
	if _, ok := domain.SourceGrades[rep.SourceGrade]; !ok {
		verr.Add("source_grade", "Choose the source evaluation: 1, 2 or 3")
	}
	if _, ok := domain.IntelGrades[rep.IntelGrade]; !ok {
		verr.Add("intel_grade", "Choose the intelligence assessment: A, B, C, D or E")
	}
	m, err := parseMarking(ctx, r.st, a, domain.MarkingInput{Classification: in.Classification, Handling: in.Handling,
		HandlingNote: in.HandlingConditions, ConditionAgencies: in.ConditionAgencies, ConditionTypes: in.ConditionTypes,
		Restricted: in.Restricted, NamedAgencies: in.NamedAgencies, NamedUsers: in.NamedUsers}, verr)
	if err != nil {
		return domain.InfoReport{}, err
	}
	if err := verr.Err(); err != nil {
		return domain.InfoReport{}, err
	}
	rep.Marking = m
	if err := p.Can(a, authz.Create, domain.KindInfoReport, m); err != nil {
		return domain.InfoReport{}, err
	}
	return rep, nil
}

func appendUnique(list []string, v string) []string {
	for _, x := range list {
		if x == v {
			return list
		}
	}
	return append(list, v)
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
