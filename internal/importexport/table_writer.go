package importexport

import (
	"encoding/csv"
	"fmt"
	"io"
	"reflect"

	"github.com/xuri/excelize/v2"
)

// TableWriter writes a table, row by row, as CSV or as one XLSX sheet,
// streamed. It is the only way the module writes a table: every text
// cell goes through SafeCell inside the writer, so no caller can forget
// to neutralise a formula.
//
// A row's cells are strings or numbers. A string (or a value of any type
// whose underlying type is string) is written through SafeCell; an
// integer or a float is written as a number (a number in the workbook,
// its decimal text in CSV); nil is an empty cell; anything else is written as its fmt.Sprint
// text, through SafeCell.
type TableWriter interface {
	// WriteHeader writes the column names: a row like any other, named
	// for the reader of the calling code.
	WriteHeader(names ...string) error
	// WriteRow writes one row of text cells.
	WriteRow(cells ...string) error
	// WriteValues writes one row whose numbers stay numbers in a workbook.
	WriteValues(cells ...any) error
	// Close finishes the table and writes whatever is still buffered
	// (the whole workbook, for XLSX) to the underlying writer. A table
	// not closed is incomplete.
	Close() error
}

// NewTableWriter returns a TableWriter writing format (CSV or XLSX) to w.
// An XLSX table is one sheet named sheet; CSV has no sheet name. Any
// other format is an error.
func NewTableWriter(format Format, w io.Writer, sheet string) (TableWriter, error) {
	switch format {
	case CSV:
		return &csvTable{w: csv.NewWriter(w)}, nil
	case XLSX:
		return newXLSXTable(w, sheet)
	}
	return nil, fmt.Errorf("table: unknown format %q", format)
}

// safeValue is v as a cell: text through SafeCell, numbers as they are.
func safeValue(v any) any {
	switch x := v.(type) {
	case string:
		return SafeCell(x)
	case int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, float32, float64:
		return x
	case nil:
		return nil
	}
	if rv := reflect.ValueOf(v); rv.Kind() == reflect.String {
		return SafeCell(rv.String())
	}
	return SafeCell(fmt.Sprint(v))
}

// csvText is a safe cell's CSV text: a number's decimal text, nothing
// for nil.
func csvText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

type csvTable struct {
	w   *csv.Writer
	buf []string
}

func (c *csvTable) WriteHeader(names ...string) error { return c.WriteRow(names...) }

func (c *csvTable) WriteRow(cells ...string) error {
	c.buf = c.buf[:0]
	for _, s := range cells {
		c.buf = append(c.buf, SafeCell(s))
	}
	return c.w.Write(c.buf)
}

func (c *csvTable) WriteValues(cells ...any) error {
	c.buf = c.buf[:0]
	for _, v := range cells {
		c.buf = append(c.buf, csvText(safeValue(v)))
	}
	return c.w.Write(c.buf)
}

func (c *csvTable) Close() error {
	c.w.Flush()
	if err := c.w.Error(); err != nil {
		return fmt.Errorf("table: %w", err)
	}
	return nil
}

type xlsxTable struct {
	f   *excelize.File
	sw  *excelize.StreamWriter
	out io.Writer
	row int
	buf []any
}

func newXLSXTable(out io.Writer, sheet string) (*xlsxTable, error) {
	f := excelize.NewFile()
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("table: %w", err)
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("table: %w", err)
	}
	return &xlsxTable{f: f, sw: sw, out: out}, nil
}

func (x *xlsxTable) WriteHeader(names ...string) error { return x.WriteRow(names...) }

func (x *xlsxTable) WriteRow(cells ...string) error {
	x.buf = x.buf[:0]
	for _, s := range cells {
		x.buf = append(x.buf, SafeCell(s))
	}
	return x.setRow()
}

func (x *xlsxTable) WriteValues(cells ...any) error {
	x.buf = x.buf[:0]
	for _, v := range cells {
		x.buf = append(x.buf, safeValue(v))
	}
	return x.setRow()
}

func (x *xlsxTable) setRow() error {
	x.row++
	cell, err := excelize.CoordinatesToCellName(1, x.row)
	if err != nil {
		return fmt.Errorf("table: %w", err)
	}
	if err := x.sw.SetRow(cell, x.buf); err != nil {
		return fmt.Errorf("table: %w", err)
	}
	return nil
}

func (x *xlsxTable) Close() error {
	defer func() { _ = x.f.Close() }()
	if err := x.sw.Flush(); err != nil {
		return fmt.Errorf("table: %w", err)
	}
	if err := x.f.Write(x.out); err != nil {
		return fmt.Errorf("table: %w", err)
	}
	return nil
}
