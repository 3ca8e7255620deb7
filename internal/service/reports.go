package service

import (
	"context"
	"database/sql"
	"encoding/csv"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"alliance/internal/authz"
	"alliance/internal/domain"
	"alliance/internal/importexport"
	"alliance/internal/store"
)

// Reports is the information reports use case: submit, list, search, read
// and export, each under the access policy.
type Reports struct {
	st  *store.Store
	log *slog.Logger
}

// NewReports returns the service.
func NewReports(st *store.Store, log *slog.Logger) *Reports {
	if log == nil {
		log = slog.Default()
	}
	return &Reports{st: st, log: log}
}

// Policy returns the access policy built from the current role permissions.
func (r *Reports) Policy(ctx context.Context) (authz.Policy, error) {
	grants, err := r.st.RoleGrants(ctx)
	if err != nil {
		return authz.Policy{}, err
	}
	return authz.New(grants), nil
}

// Allowed reports whether a may do act to information reports at all.
func (r *Reports) Allowed(ctx context.Context, a domain.Actor, act authz.Action) bool {
	p, err := r.Policy(ctx)
	return err == nil && p.Allowed(a, act, domain.KindInfoReport)
}

// ReportPage is one page of a list.
type ReportPage struct {
	Items       []domain.InfoReport
	Total       int
	Page, Pages int
	PerPage     int
	Query       string
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
	if perPage <= 0 || perPage > 100 {
		perPage = 25
	}
	page = max(page, 1)
	total, err := r.st.NewInfoReportQuery(p, a, act).WithSearch(query).Count(ctx)
	if err != nil {
		return ReportPage{}, err
	}
	items, err := r.st.NewInfoReportQuery(p, a, act).WithSearch(query).List(ctx, perPage, (page-1)*perPage)
	if err != nil {
		return ReportPage{}, err
	}
	pages := max((total+perPage-1)/perPage, 1)
	return ReportPage{Items: items, Total: total, Page: page, Pages: pages, PerPage: perPage, Query: strings.TrimSpace(query)}, nil
}

// Get returns the report with id if a may see it, and not-found otherwise.
func (r *Reports) Get(ctx context.Context, a domain.Actor, id string) (domain.InfoReport, error) {
	p, err := r.Policy(ctx)
	if err != nil {
		return domain.InfoReport{}, err
	}
	return r.st.NewInfoReportQuery(p, a, authz.View).WithID(id).One(ctx)
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
	p, err := r.Policy(ctx)
	if err != nil {
		return domain.InfoReport{}, err
	}
	if !p.Allowed(a, authz.Create, domain.KindInfoReport) {
		return domain.InfoReport{}, domain.ErrForbidden
	}
	agencies, err := r.st.Agencies(ctx, a.PartnershipID)
	if err != nil {
		return domain.InfoReport{}, err
	}
	known := map[string]bool{}
	for _, ag := range agencies {
		known[ag.ID] = true
	}
	types, err := r.st.AgencyTypes(ctx)
	if err != nil {
		return domain.InfoReport{}, err
	}
	knownType := map[string]bool{}
	for _, t := range types {
		knownType[string(t.Code)] = true
	}

	verr := &domain.ValidationError{}
	rep := domain.InfoReport{Title: strings.TrimSpace(in.Title), Body: strings.TrimSpace(in.Body), CreatedBy: a.UserID,
		SourceGrade: strings.TrimSpace(in.SourceGrade), IntelGrade: strings.ToUpper(strings.TrimSpace(in.IntelGrade)),
		HandlingConditions: strings.TrimSpace(in.HandlingConditions)}
	m := domain.Marking{PartnershipID: a.PartnershipID, OriginAgencyID: a.AgencyID, Restricted: in.Restricted}
	switch n := utf8.RuneCountInString(rep.Title); {
	case n == 0:
		verr.Add("title", "Enter a title")
	case n > 200:
		verr.Add("title", "Title must be 200 characters or fewer")
	}
	switch n := utf8.RuneCountInString(rep.Body); {
	case n == 0:
		verr.Add("body", "Enter the information")
	case n > 20000:
		verr.Add("body", "Information must be 20,000 characters or fewer")
	}
	if _, ok := domain.SourceGrades[rep.SourceGrade]; !ok {
		verr.Add("source_grade", "Choose the source evaluation: 1, 2 or 3")
	}
	if _, ok := domain.IntelGrades[rep.IntelGrade]; !ok {
		verr.Add("intel_grade", "Choose the intelligence assessment: A, B, C, D or E")
	}
	if c, err := domain.ParseClassification(in.Classification); err != nil {
		verr.Add("classification", "%s", capitalise(err.Error()))
	} else {
		m.Classification = c
	}
	switch strings.ToUpper(strings.TrimSpace(in.Handling)) {
	case "P":
		m.Handling = domain.HandlingP
	case "C":
		m.Handling = domain.HandlingC
		if rep.HandlingConditions == "" {
			verr.Add("handling_conditions", "Enter the handling conditions that apply")
		}
		for _, id := range in.ConditionAgencies {
			if !known[id] {
				verr.Add("condition_agencies", "Choose agencies of this partnership")
				break
			}
			m.ConditionAgencies = append(m.ConditionAgencies, id)
		}
		for _, t := range in.ConditionTypes {
			if !knownType[t] {
				verr.Add("condition_types", "Choose agency types from the list")
				break
			}
			m.ConditionTypes = append(m.ConditionTypes, domain.AgencyType(t))
		}
		if len(in.ConditionAgencies) == 0 && len(in.ConditionTypes) == 0 {
			verr.Add("condition_agencies", "Choose the agencies or agency types the conditions allow to see it")
		}
	default:
		verr.Add("handling", "Choose handling code P or C")
	}
	if in.Restricted {
		for _, id := range in.NamedAgencies {
			if !known[id] {
				verr.Add("named_agencies", "Choose agencies of this partnership")
				break
			}
			m.NamedAgencies = append(m.NamedAgencies, id)
		}
		for _, email := range in.NamedUsers {
			email = strings.TrimSpace(email)
			if email == "" {
				continue
			}
			c, err := r.st.CredentialsByEmail(ctx, r.st.Reader(), email)
			if err != nil || c.User.PartnershipID != a.PartnershipID || !c.User.Active {
				verr.Add("named_users", "%s is not an active user of this partnership", email)
				continue
			}
			m.NamedUsers = append(m.NamedUsers, c.User.ID)
		}
		// The author can always see what they wrote.
		m.NamedUsers = appendUnique(m.NamedUsers, a.UserID)
	}
	if err := verr.Err(); err != nil {
		return domain.InfoReport{}, err
	}
	rep.Marking = m
	if err := p.Can(a, authz.Create, domain.KindInfoReport, m); err != nil {
		return domain.InfoReport{}, err
	}
	err = r.st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		rep.ID, rep.Reference = "", ""
		return r.st.InsertInfoReport(ctx, tx, &rep)
	})
	return rep, err
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

// ExportLimit bounds one export.
const ExportLimit = 100000

// Export writes, as CSV, every report a may export that matches query,
// under the protective marking, and returns how many it wrote. Actors who
// may not export get domain.ErrForbidden and nothing is written.
func (r *Reports) Export(ctx context.Context, a domain.Actor, query string, w io.Writer, now time.Time) (int, error) {
	p, err := r.Policy(ctx)
	if err != nil {
		return 0, err
	}
	if !p.Allowed(a, authz.Export, domain.KindInfoReport) {
		return 0, domain.ErrForbidden
	}
	items, err := r.st.NewInfoReportQuery(p, a, authz.Export).WithSearch(query).List(ctx, ExportLimit, 0)
	if err != nil {
		return 0, err
	}
	cw := csv.NewWriter(w)
	marking := string(domain.OfficialSensitive)
	rows := [][]string{
		{marking},
		{fmt.Sprintf("Exported from Alliance by %s (%s) on %s UTC. Handle under your information sharing agreement.", a.DisplayName, a.AgencyName, now.UTC().Format("02/01/2006 15:04"))},
		{"reference", "title", "information", "grading", "classification", "handling_conditions", "originating_agency", "created_at"},
	}
	for _, it := range items {
		rows = append(rows, []string{it.Reference, it.Title, it.Body, it.Grading(), string(it.Marking.Classification),
			it.HandlingConditions, it.OriginAgencyName, it.CreatedAt.Format(time.RFC3339)})
	}
	rows = append(rows, []string{marking})
	for _, row := range rows {
		for i := range row {
			row[i] = importexport.SafeCell(row[i])
		}
		if err := cw.Write(row); err != nil {
			return 0, err
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return 0, err
	}
	return len(items), nil
}
