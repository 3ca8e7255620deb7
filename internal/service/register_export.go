package service

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"strings"
	"time"

	"alliance/internal/authz"
	"alliance/internal/domain"
	"alliance/internal/importexport"
	"alliance/internal/store"
)

// MayExport reports whether a may export records of kind at all.
func (im *Importer) MayExport(ctx context.Context, a domain.Actor, kind importexport.RegisterKind) bool {
	p, err := im.Policy(ctx)
	if err != nil || !p.Allowed(a, authz.Export, recordKind(kind)) {
		return false
	}
	return kind != importexport.KindLinks || p.Allowed(a, authz.Export, domain.KindOCG)
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
	sel, err := im.exportSelection(ctx, p, a, kind)
	if err != nil {
		return ExportResult{}, err
	}
	var res ExportResult
	record := func() error {
		return im.st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
			if err := recordDisclosure(ctx, tx, im.st, im.alog, a, d, approver, disclosed{RecordType: string(sel.recordType), RecordIDs: sel.ids,
				RecordCount: len(sel.ids), Label: fmt.Sprintf("%s export of %d %s", strings.ToUpper(string(format)), len(sel.ids), kind)}, now); err != nil {
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
	tw, err := importexport.NewTableWriter(format, w, string(kind))
	if err != nil {
		return ExportResult{}, err
	}
	res, err = im.writeExport(ctx, tw, p, a, kind, sel, exportedBy(a, d, isaRef, now))
	if err != nil {
		return res, err
	}
	if commit != nil {
		if err := record(); err != nil {
			return ExportResult{}, err
		}
	}
	return res, nil
}

// exported is what an export will disclose, read before anything is
// written: the records' ids (exactly what the disclosure logs), the
// highest classification among them, and the groups or links to write.
type exported struct {
	ids        []string
	marking    domain.Classification
	groups     []domain.OCG
	links      []store.ExportLink
	recordType domain.RecordKind
}

// exportSelection is the first pass of an export of kind: what will be
// disclosed, and its highest classification.
func (im *Importer) exportSelection(ctx context.Context, p authz.Policy, a domain.Actor, kind importexport.RegisterKind) (exported, error) {
	sel := exported{marking: domain.Official, recordType: recordKind(kind)}
	note := func(c domain.Classification) {
		if c == domain.OfficialSensitive {
			sel.marking = c
		}
	}
	var err error
	switch kind {
	case importexport.KindGroups:
		sel.groups, err = im.st.NewOCGQuery(p, a, authz.Export).ByName().List(ctx, ExportLimit, 0)
		if err != nil {
			return exported{}, err
		}
		for _, o := range sel.groups {
			sel.ids = append(sel.ids, o.ID)
			note(o.Marking.Classification)
		}
	case importexport.KindPeople:
		for off := 0; len(sel.ids) < ExportLimit; off += exportPage {
			page, err := im.st.NewEntityQuery(p, a, authz.Export).WithKind(domain.EntityPerson).List(ctx, exportPage, off)
			if err != nil {
				return exported{}, err
			}
			for _, e := range page {
				sel.ids = append(sel.ids, e.ID)
				note(e.Marking.Classification)
			}
			if len(page) < exportPage {
				break
			}
		}
	case importexport.KindLinks:
		sel.links, err = im.st.ExportLinks(ctx, p, a, ExportLimit)
		if err != nil {
			return exported{}, err
		}
		sel.marking = domain.OfficialSensitive // links join records; treat the whole as sensitive
		for _, l := range sel.links {
			sel.ids = append(sel.ids, l.ID)
		}
		sel.recordType = "link"
	default:
		return exported{}, domain.ErrForbidden
	}
	return sel, nil
}

// writeExport writes the file of an export to tw: the marking, the
// provenance row, the header, the records of sel and the marking again,
// and closes tw. It returns how many records it wrote, under which
// marking, even when it fails part way.
func (im *Importer) writeExport(ctx context.Context, tw importexport.TableWriter, p authz.Policy, a domain.Actor, kind importexport.RegisterKind,
	sel exported, provenance string) (ExportResult, error) {
	if err := tw.WriteRow(string(sel.marking)); err != nil {
		return ExportResult{}, err
	}
	if err := tw.WriteRow(provenance); err != nil {
		return ExportResult{}, err
	}
	cols, _ := importexport.Columns(kind)
	if err := tw.WriteHeader(cols...); err != nil {
		return ExportResult{}, err
	}
	var n int
	var err error
	switch kind {
	case importexport.KindGroups:
		n, err = im.writeGroups(ctx, a, sel.groups, tw)
	case importexport.KindPeople:
		n, err = im.writePeople(ctx, p, a, sel.ids, tw)
	case importexport.KindLinks:
		n, err = writeLinks(sel.links, tw)
	}
	res := ExportResult{Rows: n, Marking: sel.marking}
	if err != nil {
		return res, err
	}
	if err := tw.WriteRow(string(sel.marking)); err != nil {
		return res, err
	}
	return res, tw.Close()
}

func ukDay(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.Format("02/01/2006")
}

// writeGroups writes the groups disclosed, one row each.
func (im *Importer) writeGroups(ctx context.Context, a domain.Actor, groups []domain.OCG, tw importexport.TableWriter) (int, error) {
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
		if err := tw.WriteRow(o.Reference, o.Name, o.OperationName, o.PrimaryThreat, strings.Join(threats[o.ID], ";"), string(o.Ownership),
			string(o.Status), code[o.HomeUnitID], o.LeadAgencyName, o.Summary, string(o.Marking.Classification), string(o.Marking.Handling)); err != nil {
			return i, err
		}
	}
	return len(groups), nil
}

// writePeople writes the people disclosed, exactly the ids logged, a page
// at a time.
func (im *Importer) writePeople(ctx context.Context, p authz.Policy, a domain.Actor, ids []string, tw importexport.TableWriter) (int, error) {
	n := 0
	for start := 0; start < len(ids); start += exportPage {
		page, err := im.st.NewEntityQuery(p, a, authz.Export).WithIDs(ids[start:min(start+exportPage, len(ids))]).List(ctx, 0, 0)
		if err != nil {
			return n, err
		}
		for _, e := range page {
			if err := tw.WriteRow(e.Reference, e.Name, strings.Join(e.Aliases, ";"), strings.Join(e.Nicknames, ";"), ukDay(e.DOB), e.Gender,
				strings.Join(e.Flags, ";"), "", "", "", "", string(e.Marking.Classification), string(e.Marking.Handling)); err != nil {
				return n, err
			}
			n++
		}
	}
	return n, nil
}

// writeLinks writes the links disclosed, one row each.
func writeLinks(links []store.ExportLink, tw importexport.TableWriter) (int, error) {
	for i, l := range links {
		if err := tw.WriteRow(l.FromRef, l.ToRef, string(l.Type), string(l.Role), ukDay(l.ValidFrom), ukDay(l.ValidTo), l.SourceRef,
			string(l.Confidence), l.Note); err != nil {
			return i, err
		}
	}
	return len(links), nil
}
