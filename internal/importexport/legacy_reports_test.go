package importexport

import (
	"strings"
	"testing"
)

func TestReadLegacyReports(t *testing.T) {
	const head = "reference,recorded_on,title,text,grading,classification,conditions,restricted\n"
	cases := []struct {
		name      string
		file      string
		wantRows  int
		wantField string // the first problem's field, "" for none
		wantMsg   string
	}{
		{"good", head + "A1,14/03/2011,T,Text,B35,OFFICIAL,,\nA2,2010-01-02,T,Text,e 5 1,official-sensitive,c,yes\n", 2, "", ""},
		{"grading spaced and slashed", head + "A1,14/03/2011,T,Text,c/2/4,OFFICIAL,,\n", 1, "", ""},
		{"3x5x2 grading", head + "A1,14/03/2011,T,Text,1B P,OFFICIAL,,\n", 1, "row 2, column grading", "not a 5x5x5 grading"},
		{"F source", head + "A1,14/03/2011,T,Text,F35,OFFICIAL,,\n", 1, "row 2, column grading", "not a 5x5x5 grading"},
		{"handling 6", head + "A1,14/03/2011,T,Text,B36,OFFICIAL,,\n", 1, "row 2, column grading", "not a 5x5x5 grading"},
		{"bad date", head + "A1,31/02/2011,T,Text,B35,OFFICIAL,,\n", 1, "row 2, column recorded_on", "not a date"},
		{"future date", head + "A1,01/01/2999,T,Text,B35,OFFICIAL,,\n", 1, "row 2, column recorded_on", "cannot be in the future"},
		{"protect", head + "A1,14/03/2011,T,Text,B35,PROTECT,,\n", 1, "row 2, column classification", "from before 2014"},
		{"top secret", head + "A1,14/03/2011,T,Text,B35,TOP SECRET,,\n", 1, "row 2, column classification", "OFFICIAL-SENSITIVE only"},
		{"restricted maybe", head + "A1,14/03/2011,T,Text,B35,OFFICIAL,,maybe\n", 1, "row 2, column restricted", "not yes or no"},
		{"no text", head + "A1,14/03/2011,T,,B35,OFFICIAL,,\n", 1, "row 2, column text", "required"},
		{"long title", head + "A1,14/03/2011," + strings.Repeat("x", 201) + ",Text,B35,OFFICIAL,,\n", 1, "row 2, column title", "200 characters"},
		{"control character", head + "A1,14/03/2011,T,Te\x00xt,B35,OFFICIAL,,\n", 1, "row 2, column text", ""},
		{"duplicate", head + "A1,14/03/2011,T,Text,B35,OFFICIAL,,\na1,14/03/2011,T,Text,B35,OFFICIAL,,\n", 2, "row 3, column reference", "also on row 2"},
		{"unknown column", "reference,recorded_on,title,text,grading,classification,colour\n", 0, "row 1, column colour", "does not know this column"},
		{"missing column", "reference,recorded_on,title,text,classification\n", 0, "row 1, column grading", "missing"},
		{"empty", "", 0, "row 1", "empty"},
		{"header only", head, 0, "row 2", "no reports"},
		{"blank lines skipped, rows counted", head + "\nA1,14/03/2011,T,Text,B3,OFFICIAL,,\n", 1, "row 3, column grading", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rows, problems, _, err := ReadLegacyReports(NewCSVRows(strings.NewReader(c.file)), 10)
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != c.wantRows {
				t.Errorf("got %d rows, want %d", len(rows), c.wantRows)
			}
			if c.wantField == "" {
				if len(problems) > 0 {
					t.Errorf("got problems %v, want none", problems)
				}
				return
			}
			if len(problems) == 0 {
				t.Fatalf("got no problems, want one at %q", c.wantField)
			}
			if problems[0].Field != c.wantField || !strings.Contains(problems[0].Message, c.wantMsg) {
				t.Errorf("got %q: %q, want %q: …%s…", problems[0].Field, problems[0].Message, c.wantField, c.wantMsg)
			}
		})
	}
	rows, _, _, _ := ReadLegacyReports(NewCSVRows(strings.NewReader(head+"A2,2010-01-02,T,Text,e 5 1,official-sensitive,c,yes\n")), 10)
	if r := rows[0]; r.Source != "E" || r.Intel != "5" || r.Handling != "1" || r.Classification != "OFFICIAL-SENSITIVE" || !r.Restricted || r.RecordedOn.Format("2006-01-02") != "2010-01-02" {
		t.Errorf("got %+v, want E, 5, 1, OFFICIAL-SENSITIVE, restricted, 2 January 2010", r)
	}
}

// FuzzReadLegacyReports feeds the reader arbitrary files: it never panics,
// and every row it returns is whole (a grading of three known codes, a
// classification Alliance holds, a date) unless a problem was reported.
func FuzzReadLegacyReports(f *testing.F) {
	f.Add("reference,recorded_on,title,text,grading,classification\nA1,14/03/2011,T,Text,B35,OFFICIAL\n")
	f.Add("reference,recorded_on,title,text,grading,classification\n\"A1\n,x,,,,\n")
	f.Add("\ufeffreference,recorded_on\n")
	f.Fuzz(func(t *testing.T, file string) {
		rows, problems, _, err := ReadLegacyReports(NewCSVRows(strings.NewReader(file)), 5)
		if err != nil || len(problems) > 0 {
			return
		}
		for _, r := range rows {
			if len(r.Source) != 1 || len(r.Intel) != 1 || len(r.Handling) != 1 || r.RecordedOn.IsZero() || r.Reference == "" ||
				(r.Classification != "OFFICIAL" && r.Classification != "OFFICIAL-SENSITIVE") {
				t.Fatalf("a row without problems is not whole: %+v", r)
			}
		}
	})
}
