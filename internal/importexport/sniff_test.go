package importexport_test

import (
	"errors"
	"io"
	"strings"
	"testing"

	"alliance/internal/importexport"
)

// TestOpenRowsRefusesWhatIsNotCSV checks that a file given as CSV that is
// plainly something else is refused with what it looks like, before any
// row is read, and that CSV text (with a byte order mark, or empty) is not.
func TestOpenRowsRefusesWhatIsNotCSV(t *testing.T) {
	tests := []struct {
		name, file string
		want       string // in the error; "" for none
	}{
		{"png", "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10", "it looks like an image (PNG)"},
		{"jpeg", "\xff\xd8\xff\xe0\x00\x10JFIF\x00", "it looks like an image (JPEG)"},
		{"pdf", "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "it looks like a PDF document"},
		{"workbook", "PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00", "it looks like an Excel workbook"},
		{"old excel", "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00", "old Excel (.xls)"},
		{"utf-16", "\xff\xfen\x00a\x00m\x00e\x00", "UTF-16"},
		{"binary", "name,dob\x00\x01\x02\x03", "bytes that are not text"},
		{"csv", "name,dob\nAaron Collier,01/02/1990\n", ""},
		{"csv with a stray NUL in a cell (the rows say where)", "name,primary_threat,ownership_level,summary\nNul\x00Name,drugs,local,fine\n", ""},
		{"csv with a byte order mark", "\ufeffname,dob\nZoë Browne,30/09/1995\n", ""},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, err := importexport.OpenRows(strings.NewReader(tt.file), importexport.CSV, "", importexport.DefaultXLSXLimits)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("got %v, want the file read as CSV", err)
				}
				defer rows.Close()
				if _, err := rows.Next(); err != nil && !errors.Is(err, io.EOF) {
					t.Errorf("first row: got %v, want it read", err)
				}
				return
			}
			var nc *importexport.NotCSVError
			if !errors.As(err, &nc) {
				t.Fatalf("got %v, want a *NotCSVError", err)
			}
			if msg := err.Error(); !strings.Contains(msg, tt.want) || !strings.HasPrefix(msg, "this file is not a CSV file") || strings.Contains(msg, "missing column") {
				t.Errorf("got %q, want it to say the file is not CSV and %q", msg, tt.want)
			}
		})
	}
}

// TestCSVQuoteProblems checks that a row the CSV reader cannot read says
// which row, where in the line, and what to do, not encoding/csv's words.
func TestCSVQuoteProblems(t *testing.T) {
	tests := []struct {
		name, file string
		wantRow    int
		want       []string
	}{
		{"quote inside a plain cell", "name,aliases\nAaron Collier,Big \"A\" Collier\n", 2,
			[]string{`there is a quote (") at character 19 of line 2`, `put the whole cell in quotes`}},
		{"quoted cell never closed", "name,aliases\n\"Aaron Collier,Big A\nZoe Browne,\n", 2,
			[]string{`a cell in quotes is broken`, `must be doubled ("")`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, err := importexport.OpenRows(strings.NewReader(tt.file), importexport.CSV, "", importexport.DefaultXLSXLimits)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			if _, err := rows.Next(); err != nil {
				t.Fatalf("header: %v", err)
			}
			_, err = rows.Next()
			var re *importexport.RowError
			if !errors.As(err, &re) {
				t.Fatalf("got %v, want a *RowError", err)
			}
			if re.Row != tt.wantRow {
				t.Errorf("got row %d, want %d", re.Row, tt.wantRow)
			}
			for _, w := range tt.want {
				if !strings.Contains(re.Msg, w) {
					t.Errorf("got %q, want it to say %q", re.Msg, w)
				}
			}
			if strings.Contains(re.Msg, "extraneous") || strings.Contains(re.Msg, "bare") {
				t.Errorf("got %q: encoding/csv's own words, not ones a person can act on", re.Msg)
			}
		})
	}
}
