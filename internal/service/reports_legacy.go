package service

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"regexp"
	"time"

	"alliance/internal/audit"
	"alliance/internal/authz"
	"alliance/internal/domain"
	"alliance/internal/importexport"
)

// LegacyImportResult says what an import of historic reports did.
type LegacyImportResult struct {
	Rows   int // data rows read
	Stored int // reports stored: 0 when there were problems
	// Problems lists the bad rows and columns in file order; when there are
	// any, nothing was stored.
	Problems     []domain.FieldError
	MoreProblems int
}

// OK reports whether the file had no problems.
func (r LegacyImportResult) OK() bool { return len(r.Problems) == 0 && r.MoreProblems == 0 }

// maxLegacyProblems is how many problems an import lists.
const maxLegacyProblems = 100

// alliancePattern is the shape of Alliance's own report references, which
// a historic reference may not take: the counter would later reach it.
var alliancePattern = regexp.MustCompile(`^[Ii][Rr]-[0-9]{4}-[0-9]{6}$`)

// ImportLegacy reads a CSV or XLSX file of historic reports graded under
// 5x5x5 (importexport.LegacyReportColumns) and stores them as a's agency's,
// with their grading as recorded and a handling of C (decision 32), in one
// transaction with one collection entry. A file with any problem, a
// reference already held among them, stores nothing: the result lists the
// problems. Only those who may write reports may import them.
func (r *Reports) ImportLegacy(ctx context.Context, a domain.Actor, format importexport.Format, src io.Reader) (LegacyImportResult, error) {
	var res LegacyImportResult
	p, err := r.Policy(ctx)
	if err != nil {
		return res, err
	}
	if !p.Allowed(a, authz.Create, domain.KindInfoReport) {
		return res, domain.ErrForbidden
	}
	list, err := readLegacy(format, src, &res)
	if err != nil || !res.OK() {
		return res, err
	}
	err = r.storeLegacy(ctx, a, p, list, &res)
	if errors.Is(err, errReferencesTaken) {
		return res, nil
	}
	if err != nil {
		return res, err
	}
	res.Stored = len(list)
	r.log.InfoContext(ctx, "historic reports imported", "user", a.UserID, "reports", res.Stored)
	return res, nil
}

// readLegacy reads and checks the whole file into res, returning its rows
// (to store only when res is OK).
func readLegacy(format importexport.Format, src io.Reader, res *LegacyImportResult) ([]importexport.LegacyReport, error) {
	var rows importexport.RowReader
	switch format {
	case importexport.CSV:
		rows = importexport.NewCSVRows(src)
	case importexport.XLSX:
		var err error
		rows, err = importexport.OpenXLSXRows(src, "", importexport.XLSXLimits{})
		if err != nil {
			res.Problems = []domain.FieldError{{Field: "file", Message: "The file could not be read as an XLSX workbook: " + err.Error()}}
			return nil, nil
		}
	default:
		return nil, fmt.Errorf("import historic reports: unknown format %q", format)
	}
	defer func() { _ = rows.Close() }()
	list, problems, more, err := importexport.ReadLegacyReports(rows, maxLegacyProblems)
	if err != nil {
		return nil, fmt.Errorf("import historic reports: %w", err)
	}
	res.Rows, res.Problems, res.MoreProblems = len(list), problems, more
	for _, x := range list {
		if alliancePattern.MatchString(x.Reference) {
			res.Problems = append(res.Problems, domain.FieldError{Field: fmt.Sprintf("row %d, column reference", x.Row),
				Message: x.Reference + " has the shape of an Alliance reference: give the report's reference in the system it came from"})
		}
	}
	return list, nil
}

// errReferencesTaken ends an import whose references are already held;
// the result names them.
var errReferencesTaken = errors.New("references taken")

// storeLegacy stores list in one transaction with one collection entry,
// or, when any reference is already held, names the rows in res and
// returns errReferencesTaken, storing nothing.
func (r *Reports) storeLegacy(ctx context.Context, a domain.Actor, p authz.Policy, list []importexport.LegacyReport, res *LegacyImportResult) error {
	refs := make([]string, len(list))
	for i, x := range list {
		refs[i] = x.Reference
	}
	return r.st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		taken, err := r.st.InfoReportReferencesTaken(ctx, tx, a.PartnershipID, refs)
		if err != nil {
			return err
		}
		if len(taken) > 0 {
			res.Problems = res.Problems[:0]
			for _, x := range list {
				if taken[x.Reference] && len(res.Problems) < maxLegacyProblems {
					res.Problems = append(res.Problems, domain.FieldError{Field: fmt.Sprintf("row %d, column reference", x.Row),
						Message: "A report with the reference " + x.Reference + " is already held: each historic report is imported once"})
				}
			}
			return errReferencesTaken
		}
		ids := make([]string, 0, len(list))
		for _, x := range list {
			rep := legacyReport(a, x, r.st.Now())
			if err := p.Can(a, authz.Create, domain.KindInfoReport, rep.Marking); err != nil {
				return err
			}
			if err := r.st.InsertInfoReport(ctx, tx, &rep); err != nil {
				return fmt.Errorf("row %d: %w", x.Row, err)
			}
			ids = append(ids, rep.ID)
		}
		_, err = r.alog.Append(ctx, tx, a, audit.MetaFrom(ctx), audit.Entry{Operation: audit.Collection,
			RecordType: string(domain.KindInfoReport), RecordIDs: ids, Label: fmt.Sprintf("%d historic reports (5x5x5)", len(ids))})
		return err
	})
}

// legacyReport is the report a checked row becomes: a's agency's, graded
// as recorded, handled C for the recipients its handling code allows.
func legacyReport(a domain.Actor, x importexport.LegacyReport, now time.Time) domain.InfoReport {
	rep := domain.InfoReport{Reference: x.Reference, Title: x.Title, Body: x.Text, Scheme: domain.Scheme5x5x5,
		SourceGrade: x.Source, IntelGrade: x.Intel, LegacyHandling: x.Handling,
		HandlingConditions: domain.LegacyConditions(x.Handling, x.Conditions), CreatedBy: a.UserID, CreatedAt: x.RecordedOn, UpdatedAt: now,
		Marking: domain.Marking{PartnershipID: a.PartnershipID, OriginAgencyID: a.AgencyID, Classification: x.Classification,
			Handling: domain.HandlingC, ConditionTypes: domain.LegacyRecipients(x.Handling), Restricted: x.Restricted,
			OriginLawEnforcement: a.LawEnforcement()}}
	if x.Restricted {
		rep.Marking.NamedAgencies = []string{a.AgencyID}
	}
	return rep
}
