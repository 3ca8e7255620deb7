package service

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"strings"
	"time"

	"alliance/internal/audit"
	"alliance/internal/domain"
	"alliance/internal/importexport"
)

// ExportLimitAudit bounds one export of the log.
const ExportLimitAudit = 100000

// AuditExportFileName is the name an export of the log made at now is
// downloaded as, with its marking.
func AuditExportFileName(now time.Time) string {
	return fmt.Sprintf("alliance-audit-log-%s-%s.csv", domain.OfficialSensitive, now.UTC().Format("2006-01-02"))
}

// CheckExport checks, reading no entries and logging nothing, that a may
// export the entries q finds: domain.ErrForbidden for anyone but an
// auditor, a *domain.ValidationError naming the fields of a bad query.
func (au *Auditing) CheckExport(ctx context.Context, a domain.Actor, q AuditQuery) error {
	_, _, err := au.filter(ctx, a, q)
	return err
}

// Export writes the matching entries as CSV under the protective marking,
// logging the disclosure first.
func (au *Auditing) Export(ctx context.Context, a domain.Actor, q AuditQuery, w io.Writer) (int, error) {
	return au.export(ctx, a, q, w, nil)
}

// export is Export. With a commit it writes the whole file to w (a
// buffer) first, then logs the disclosure and calls commit with the number
// of entries in one transaction, so that the file is kept if and only if
// its disclosure is logged.
func (au *Auditing) export(ctx context.Context, a domain.Actor, q AuditQuery, w io.Writer, commit func(ctx context.Context, tx *sql.Tx, n int) error) (int, error) {
	f, _, err := au.filter(ctx, a, q)
	if err != nil {
		return 0, err
	}
	f.Limit = ExportLimitAudit
	evs, err := au.st.SearchAudit(ctx, a.PartnershipID, f)
	if err != nil {
		return 0, err
	}
	if len(evs) > ExportLimitAudit {
		evs = evs[:ExportLimitAudit]
	}
	record := func() error {
		return au.st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
			if _, err := au.alog.Append(ctx, tx, a, audit.MetaFrom(ctx), audit.Entry{Operation: audit.Disclosure, RecordType: "audit_log",
				RecordIDs: nonEmpty(q.RecordID, f.ActorID), Label: fmt.Sprintf("CSV export of %d entries: %s", len(evs), describe(q)),
				Justification: "Audit", Recipients: a.DisplayName + " (" + a.AgencyName + ")"}); err != nil {
				return err
			}
			if commit != nil {
				return commit(ctx, tx, len(evs))
			}
			return nil
		})
	}
	if commit == nil {
		if err := record(); err != nil {
			return 0, err
		}
	}
	tw, err := importexport.NewTableWriter(importexport.CSV, w, "")
	if err != nil {
		return 0, err
	}
	rows := [][]string{{string(domain.OfficialSensitive)}, {"Audit log export: " + describe(q)},
		{"seq", "at_utc", "operation", "user", "agency", "record_type", "record_ids", "label", "fields", "justification", "recipients", "request_id", "client_addr", "hash"}}
	for _, e := range evs {
		rows = append(rows, []string{fmt.Sprint(e.Seq), e.At.Format(time.RFC3339), string(e.Operation), e.ActorName, e.AgencyName, e.RecordType,
			strings.Join(e.RecordIDs, " "), e.Label, strings.Join(e.Fields, " "), e.Justification, e.Recipients, e.RequestID, e.ClientAddr, e.Hash})
	}
	rows = append(rows, []string{string(domain.OfficialSensitive)})
	for _, r := range rows {
		if err := tw.WriteRow(r...); err != nil {
			return 0, err
		}
	}
	if err := tw.Close(); err != nil {
		return 0, err
	}
	if commit != nil {
		if err := record(); err != nil {
			return 0, err
		}
	}
	return len(evs), nil
}
