package service_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"alliance/internal/domain"
	"alliance/internal/importexport"
	"alliance/internal/service"
	"alliance/internal/store/storetest"
)

func TestExportNeutralisesFormulas(t *testing.T) {
	formulas := []string{"=cmd|' /C calc'!A0", "+44 7700 900123", "-2+3", "@SUM(A1)"}
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			f := newImportFixture(t, e)
			var b strings.Builder
			b.WriteString("name,aliases\n")
			for _, s := range formulas {
				fmt.Fprintf(&b, "%q,%q\n", s, s)
			}
			if res, err := f.imp(t, "analyst", importexport.KindPeople, b.String(), false); err != nil {
				t.Fatalf("import: %v %v", err, res.Problems)
			}
			d := service.Disclosure{Purpose: "Tasking meeting", Recipients: "Test Council", AdHoc: true, Justification: "Crime and Disorder Act 1998 s.115",
				ApproverEmail: "approver@example.test"}
			auditBefore := f.count(t, "audit_event")
			var out bytes.Buffer
			exp, err := f.im.Export(context.Background(), f.actors["analyst"], importexport.KindPeople, importexport.CSV, d, &out, time.Now())
			if err != nil || exp.Rows != len(formulas) {
				t.Fatalf("got %d, %v, want %d exported", exp.Rows, err, len(formulas))
			}
			cr := csv.NewReader(&out)
			cr.FieldsPerRecord = -1
			recs, err := cr.ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if recs[0][0] != "OFFICIAL-SENSITIVE" || recs[len(recs)-1][0] != "OFFICIAL-SENSITIVE" {
				t.Errorf("got first row %v and last %v, want the marking", recs[0], recs[len(recs)-1])
			}
			for _, r := range recs[3 : len(recs)-1] {
				for _, c := range r[1:3] {
					if c == "" || c[0] != '\'' {
						t.Errorf("got cell %q, want it neutralised with a leading apostrophe", c)
					}
				}
			}
			if got := f.count(t, "audit_event"); got != auditBefore+1 {
				t.Errorf("got %d audit entries, want one more (the disclosure)", got-auditBefore)
			}
			var op, ids string
			if err := f.st.Reader().QueryRow(`SELECT operation, record_ids FROM audit_event ORDER BY seq DESC LIMIT 1`).Scan(&op, &ids); err != nil ||
				op != "disclosure" || len(strings.Fields(ids)) != len(formulas) {
				t.Errorf("got %q with %d records (%v), want a disclosure of %d", op, len(strings.Fields(ids)), err, len(formulas))
			}
			// The same through XLSX.
			out.Reset()
			if _, err := f.im.Export(context.Background(), f.actors["analyst"], importexport.KindPeople, importexport.XLSX, d, &out, time.Now()); err != nil {
				t.Fatal(err)
			}
			x, err := excelize.OpenReader(&out)
			if err != nil {
				t.Fatal(err)
			}
			rows, err := x.GetRows("people")
			if err != nil {
				t.Fatal(err)
			}
			if rows[0][0] != "OFFICIAL-SENSITIVE" {
				t.Errorf("got first row %v, want the marking", rows[0])
			}
			for _, r := range rows[3 : len(rows)-1] {
				if r[1][0] != '\'' {
					t.Errorf("got XLSX cell %q, want it neutralised", r[1])
				}
			}
			// Without a purpose, or for a partner officer, nothing is written.
			out.Reset()
			if _, err := f.im.Export(context.Background(), f.actors["analyst"], importexport.KindPeople, importexport.CSV, service.Disclosure{}, &out, time.Now()); err == nil || out.Len() != 0 {
				t.Errorf("got %v with %d bytes, want a refusal and nothing written", err, out.Len())
			}
			if _, err := f.im.Export(context.Background(), f.actors["officer"], importexport.KindPeople, importexport.CSV, d, &out, time.Now()); !errors.Is(err, domain.ErrForbidden) || out.Len() != 0 {
				t.Errorf("got %v with %d bytes, want forbidden", err, out.Len())
			}
		})
	}
}

// TestExportThenImport exports groups and imports the file back as a dry
// run: the marking and provenance rows are skipped, and the references
// Alliance numbered are refused rather than duplicated.
func TestExportThenImport(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			f := newImportFixture(t, e)
			if _, err := f.imp(t, "analyst", importexport.KindGroups, groupsCSV, false); err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			d := service.Disclosure{Purpose: "Backup", Recipients: "Ourselves", AdHoc: true, Justification: "Test", ApproverEmail: "approver@example.test"}
			if x, err := f.im.Export(context.Background(), f.actors["analyst"], importexport.KindGroups, importexport.CSV, d, &out, time.Now()); err != nil || x.Rows != 2 || x.Marking == "" {
				t.Fatalf("got %+v %v, want 2 exported under a marking", x, err)
			}
			res, err := f.imp(t, "analyst", importexport.KindGroups, out.String(), true)
			if !errors.Is(err, service.ErrImportProblems) || res.Rows != 2 {
				t.Fatalf("got %+v %v, want 2 rows with problems", res, err)
			}
			for _, p := range res.Problems {
				if !strings.HasSuffix(p.Field, "column reference") {
					t.Errorf("got problem %v, want only reference problems", p)
				}
			}
		})
	}
}
