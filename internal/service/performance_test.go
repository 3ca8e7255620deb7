package service_test

import (
	"bytes"
	"context"
	"database/sql"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"alliance/internal/domain"
	"alliance/internal/importexport"
	"alliance/internal/service"
	"alliance/internal/store/storetest"
)

// TestSecondarySuppressionSaysHidden: a cell hidden only so that a small
// one cannot be worked out by subtraction is not small itself (here 12), so
// the dashboard and its exports write it "hidden", never "fewer than 5";
// the small cell it protects keeps "fewer than 5".
func TestSecondarySuppressionSaysHidden(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			f := newDisruptionFixture(t, e)
			ctx := context.Background()
			on := dayOf("2023-10-10")
			var list []domain.Disruption
			for i := range 14 {
				d := domain.Disruption{On: on, FourP: domain.Pursue, Impact: domain.ImpactMinor}
				if i < 2 {
					d.FourP = domain.Protect
				}
				list = append(list, d)
			}
			f.put(t, list...)
			// The board may export here, so that the export of suppressed
			// figures can be read (by default no suppressed role exports).
			if err := f.st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
				_, err := tx.ExecContext(ctx, `INSERT INTO role_permission (role_code, record_kind, action) VALUES ('board_viewer', 'disruption', 'export')`)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			in := service.PerformanceInput{FY: "2023/24"}
			board := f.compute(t, "board", in)
			byP := map[string]service.Cell{}
			for _, c := range board.ByFourP {
				byP[c.Label] = c.Cell
			}
			for _, tc := range []struct {
				name          string
				cell          service.Cell
				wantText      string
				wantSecondary bool
			}{
				{"the small cell (2)", byP["Protect"], "fewer than 5", false},
				{"the cell of 12 hidden to protect it", byP["Pursue"], "hidden", true},
				{"the total", board.Disruptions, "14", false},
			} {
				if got := tc.cell.Text(board.Threshold); got != tc.wantText || tc.cell.Secondary != tc.wantSecondary {
					t.Errorf("%s: got %q (secondary %v), want %q (secondary %v)", tc.name, got, tc.cell.Secondary, tc.wantText, tc.wantSecondary)
				}
			}
			d := service.Disclosure{Purpose: "Board pack", Recipients: "SOC Board", AdHoc: true, Justification: "Test", ApproverEmail: "analyst@example.test"}
			var csv bytes.Buffer
			if _, err := f.perf.Export(ctx, f.actors["board"], in, importexport.CSV, d, &csv, f.clk.Now()); err != nil {
				t.Fatal(err)
			}
			var xbuf bytes.Buffer
			if _, err := f.perf.Export(ctx, f.actors["board"], in, importexport.XLSX, d, &xbuf, f.clk.Now()); err != nil {
				t.Fatal(err)
			}
			x, err := excelize.OpenReader(&xbuf)
			if err != nil {
				t.Fatal(err)
			}
			rows, err := x.GetRows("Performance")
			if err != nil {
				t.Fatal(err)
			}
			var xlsx strings.Builder
			for _, r := range rows {
				xlsx.WriteString(strings.Join(r, ",") + "\n")
			}
			for name, body := range map[string]string{"CSV": csv.String(), "XLSX": xlsx.String()} {
				for _, want := range []string{"Pursue,hidden\n", "Protect,fewer than 5\n", "Disruptions,14\n"} {
					if !strings.Contains(body, want) {
						t.Errorf("%s export: got no %q in %q", name, want, body)
					}
				}
				if strings.Contains(body, "Pursue,fewer than") {
					t.Errorf("%s export: got the cell of 12 as \"fewer than\", want \"hidden\"", name)
				}
			}
		})
	}
}
