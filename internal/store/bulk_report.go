package store

import (
	"context"
	"database/sql"
	"fmt"

	"alliance/internal/domain"
)

var (
	reportCols = []string{"id", "partnership_id", "reference", "title", "body", "source_grade", "intel_grade", "handling_code",
		"handling_conditions", "classification", "restricted", "origin_agency_id", "area_id", "created_by", "created_at", "updated_at",
		"sanitised_from", "grading_scheme", "legacy_handling"}
	reportLinkCols = []string{"partnership_id", "report_id", "node_kind", "node_id", "created_by", "created_at"}
	submissionCols = []string{"id", "partnership_id", "reference", "source", "what", "where_text", "when_text", "who_text", "contact",
		"ocg_id", "unit_id", "priority", "status", "question", "answer", "decision_reason", "report_id", "classification", "handling_code",
		"restricted", "origin_agency_id", "submitted_by", "created_at", "updated_at"}
)

// ReportLoad is one report for LoadReports with the register records it
// is linked to.
type ReportLoad struct {
	Report domain.InfoReport
	Links  []LinkTo
}

// LinkTo is a register record a loaded report is linked to.
type LinkTo struct {
	Kind domain.NodeKind // NodeOCG or NodeEntity
	ID   string
}

// LoadReports writes information reports of the Bulk's partnership, each
// with its ID, reference and times set by the caller, with their handling
// conditions, grants and links, each table's rows together (COPY on
// PostgreSQL, prepared multi-row INSERTs on SQLite). The full-text index
// is kept by the database (a generated column, or triggers). It writes no
// audit entry: it is for the benchmark generator's loads of a million.
func (b *Bulk) LoadReports(ctx context.Context, list []ReportLoad) error {
	reports := make([][]any, 0, len(list))
	var conds, grants, links [][]any
	for _, l := range list {
		r, m := l.Report, l.Report.Marking
		if r.ID == "" || r.Reference == "" || r.CreatedAt.IsZero() {
			return fmt.Errorf("store: load reports: a report needs its id, reference and time")
		}
		if m.PartnershipID != b.pid {
			return fmt.Errorf("store: load reports: report %s is not of the partnership loaded", r.Reference)
		}
		reports = append(reports, []any{r.ID, b.pid, r.Reference, r.Title, r.Body, r.SourceGrade, r.IntelGrade, string(m.Handling),
			r.HandlingConditions, string(m.Classification), m.Restricted, m.OriginAgencyID, nullIfEmpty(r.AreaID), r.CreatedBy, r.CreatedAt,
			r.CreatedAt, nullIfEmpty(r.SanitisedFrom), schemeOf(&r), r.LegacyHandling})
		conds, grants = markingRows(conds, grants, r.ID, m)
		for _, n := range l.Links {
			links = append(links, []any{b.pid, r.ID, string(n.Kind), n.ID, r.CreatedBy, r.CreatedAt})
		}
	}
	for _, t := range []tableRows{{"info_report", reportCols, reports}, {"record_condition", conditionCols, conds},
		{"record_grant", grantCols, grants}, {"report_link", reportLinkCols, links}} {
		if err := b.write(ctx, t.table, t.cols, t.rows); err != nil {
			return err
		}
	}
	return nil
}

// LoadSubmissions writes submissions of the Bulk's partnership, each with
// its ID, reference and times set by the caller, in one write: for the
// benchmark generator.
func (b *Bulk) LoadSubmissions(ctx context.Context, list []domain.Submission) error {
	rows := make([][]any, 0, len(list))
	for _, x := range list {
		if x.ID == "" || x.Reference == "" || x.CreatedAt.IsZero() || x.PartnershipID != b.pid {
			return fmt.Errorf("store: load submissions: a submission needs its id, reference, time and the partnership loaded")
		}
		m := x.Marking
		rows = append(rows, []any{x.ID, b.pid, x.Reference, string(x.Source), x.What, x.Where, x.When, x.Who, x.Contact,
			nullIfEmpty(x.OCGID), nullIfEmpty(x.UnitID), string(x.Priority), string(x.Status), x.Question, x.Answer, x.DecisionReason,
			nullIfEmpty(x.ReportID), string(m.Classification), string(m.Handling), m.Restricted, nullIfEmpty(m.OriginAgencyID),
			nullIfEmpty(x.SubmittedBy), x.CreatedAt, x.CreatedAt})
	}
	return b.write(ctx, "submission", submissionCols, rows)
}

// SomeRecordIDs returns up to limit IDs of the partnership's register
// records of kind (groups, or entities), in reference order: for a
// generator that links synthetic reports to them.
func (s *Store) SomeRecordIDs(ctx context.Context, partnershipID string, kind domain.NodeKind, limit int) ([]string, error) {
	table := "entity"
	if kind == domain.NodeOCG {
		table = "ocg"
	}
	return collect(ctx, s.rdb, "record ids", `SELECT CAST(id AS text) FROM `+table+` WHERE partnership_id = $1 ORDER BY reference LIMIT $2`,
		[]any{partnershipID, limit}, func(r *sql.Rows) (string, error) { var x string; err := r.Scan(&x); return x, err })
}
