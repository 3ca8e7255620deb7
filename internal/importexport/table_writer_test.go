package importexport

import (
	"bytes"
	"encoding/csv"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// dangerous are cells a spreadsheet would run as formulas.
var dangerous = []string{`=HYPERLINK("http://example.com","x")`, "+1", "-1", "@x", " =1"}

// readTable reads back what a TableWriter wrote in format.
func readTable(t *testing.T, format Format, sheet string, b []byte) [][]string {
	t.Helper()
	if format == CSV {
		r := csv.NewReader(bytes.NewReader(b))
		r.FieldsPerRecord = -1
		rows, err := r.ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		return rows
	}
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// TestTableWriterEscapes proves that the writer, not its caller, escapes
// formula cells, in both formats and through every way of writing a row,
// and that numbers stay numbers in a workbook.
func TestTableWriterEscapes(t *testing.T) {
	type label string
	for _, format := range []Format{CSV, XLSX} {
		t.Run(string(format), func(t *testing.T) {
			var b bytes.Buffer
			tw, err := NewTableWriter(format, &b, "Sheet")
			if err != nil {
				t.Fatal(err)
			}
			if err := tw.WriteHeader(dangerous...); err != nil {
				t.Fatal(err)
			}
			if err := tw.WriteRow(dangerous...); err != nil {
				t.Fatal(err)
			}
			var values []any
			for _, s := range dangerous {
				values = append(values, s)
			}
			values = append(values, label("=named"), -1, 2.5)
			if err := tw.WriteValues(values...); err != nil {
				t.Fatal(err)
			}
			if err := tw.Close(); err != nil {
				t.Fatal(err)
			}
			rows := readTable(t, format, "Sheet", b.Bytes())
			if len(rows) != 3 {
				t.Fatalf("got %d rows, want 3: %q", len(rows), rows)
			}
			for i, row := range rows {
				for j, s := range dangerous {
					if want := "'" + s; row[j] != want {
						t.Errorf("row %d cell %d: got %q, want %q", i+1, j+1, row[j], want)
					}
				}
			}
			last := rows[2][len(dangerous):]
			if want := []string{"'=named", "-1", "2.5"}; strings.Join(last, "|") != strings.Join(want, "|") {
				t.Errorf("values: got %q, want %q", last, want)
			}
			if format == XLSX {
				checkNumbers(t, b.Bytes(), len(dangerous))
			}
		})
	}
}

// checkNumbers checks that the workbook holds the numbers written after
// column skip as numbers, not text.
func checkNumbers(t *testing.T, b []byte, skip int) {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	for i := skip + 2; i <= skip+3; i++ {
		cell, _ := excelize.CoordinatesToCellName(i, 3)
		ct, err := f.GetCellType("Sheet", cell)
		if err != nil {
			t.Fatal(err)
		}
		if ct != excelize.CellTypeNumber && ct != excelize.CellTypeUnset {
			t.Errorf("%s: cell type %v, want a number", cell, ct)
		}
		v, _ := f.GetCellValue("Sheet", cell)
		if _, err := strconv.ParseFloat(v, 64); err != nil {
			t.Errorf("%s: %q is not a number", cell, v)
		}
	}
}

func TestTableWriterRefusesUnknownFormat(t *testing.T) {
	if _, err := NewTableWriter("ods", &bytes.Buffer{}, "x"); err == nil {
		t.Fatal("an unknown format was accepted")
	}
}

// tableWriters are the calls that write a table without the TableWriter
// (and so without SafeCell): only table_writer.go may make them.
var tableWriters = map[string]bool{
	"csv.NewWriter":     true,
	"excelize.NewFile":  true,
	"NewStreamWriter":   true,
	"SetCellValue":      true,
	"SetCellStr":        true,
	"SetSheetRow":       true,
	"SetCellFormula":    true,
	"SetCellRichText":   true,
	"SetSheetCol":       true,
	"SetCellDefault":    true,
	"SetCellHyperLink":  true,
	"excelize.NewSheet": true,
}

// TestOnlyTheTableWriterWritesTables walks the module's non-test Go files
// and fails for any call that writes CSV or a workbook other than in
// table_writer.go, so that every exported table goes through SafeCell.
func TestOnlyTheTableWriterWritesTables(t *testing.T) {
	root := moduleRoot(t)
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "node_modules" || name == "vendor") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		if filepath.ToSlash(rel) == "internal/importexport/table_writer.go" {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			name := sel.Sel.Name
			if x, ok := sel.X.(*ast.Ident); ok && tableWriters[x.Name+"."+name] {
				t.Errorf("%s: %s.%s writes a table: use importexport.NewTableWriter", fset.Position(sel.Pos()), x.Name, name)
			} else if tableWriters[name] {
				t.Errorf("%s: %s writes a table: use importexport.NewTableWriter", fset.Position(sel.Pos()), name)
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// moduleRoot is the directory holding go.mod, above this package.
func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the package")
		}
		dir = parent
	}
}
