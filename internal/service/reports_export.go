package service

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"time"

	"alliance/internal/authz"
	"alliance/internal/domain"
	"alliance/internal/importexport"
)

// Export writes, as CSV, every report a may export that matches query,
// under the protective marking, and returns how many it wrote. The export is
// logged as a disclosure of every record in it, with its purpose and
// recipients, before anything is written. Actors who may not export get
// domain.ErrForbidden and nothing is written.
func (r *Reports) Export(ctx context.Context, a domain.Actor, query string, d Disclosure, w io.Writer, now time.Time) (int, error) {
	p, err := r.Policy(ctx)
	if err != nil {
		return 0, err
	}
	if !p.Allowed(a, authz.Export, domain.KindInfoReport) {
		return 0, domain.ErrForbidden
	}
	isaRef, approver, err := checkDisclosure(ctx, r.st, a, &d, now)
	if err != nil {
		return 0, err
	}
	items, err := r.st.NewInfoReportQuery(p, a, authz.Export).WithSearch(query).List(ctx, ExportLimit, 0)
	if err != nil {
		return 0, err
	}
	ids := make([]string, len(items))
	for i, it := range items {
		ids[i] = it.ID
	}
	err = r.st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		return recordDisclosure(ctx, tx, r.st, r.alog, a, d, approver, disclosed{RecordType: string(domain.KindInfoReport), RecordIDs: ids,
			RecordCount: len(ids), Label: fmt.Sprintf("CSV export of %d reports", len(ids))}, now)
	})
	if err != nil {
		return 0, err
	}
	tw, err := importexport.NewTableWriter(importexport.CSV, w, "")
	if err != nil {
		return 0, err
	}
	marking := string(domain.OfficialSensitive)
	rows := [][]string{
		{marking},
		{exportedBy(a, d, isaRef, now)},
		{"reference", "title", "information", "grading", "classification", "handling_conditions", "originating_agency", "created_at"},
	}
	for _, it := range items {
		rows = append(rows, []string{it.Reference, it.Title, it.Body, it.Grading(), string(it.Marking.Classification),
			it.HandlingConditions, it.OriginAgencyName, it.CreatedAt.Format(time.RFC3339)})
	}
	rows = append(rows, []string{marking})
	for _, row := range rows {
		if err := tw.WriteRow(row...); err != nil {
			return 0, err
		}
	}
	if err := tw.Close(); err != nil {
		return 0, err
	}
	return len(items), nil
}
