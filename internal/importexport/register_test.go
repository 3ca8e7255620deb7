package importexport

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"alliance/internal/domain"
)

var today = time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)

// readAll reads every row of a people file, returning the rows without
// problems and the fields of every problem.
func readPeople(t *testing.T, src RowReader) ([]PersonRow, []string, error) {
	t.Helper()
	r, err := NewPersonReader(src, ReaderOptions{Today: today})
	if err != nil {
		return nil, nil, err
	}
	defer r.Close()
	var rows []PersonRow
	var fields []string
	for {
		p, probs, err := r.Next()
		if errors.Is(err, io.EOF) {
			return rows, fields, nil
		}
		if err != nil {
			return rows, fields, err
		}
		for _, pr := range probs {
			fields = append(fields, pr.Field)
		}
		if len(probs) == 0 {
			rows = append(rows, p)
		}
	}
}

func TestPersonReader(t *testing.T) {
	tests := []struct {
		name      string
		in        string
		wantRows  int
		wantField []string
	}{
		{"minimal", "name\nAnn Smith\n", 1, nil},
		{"header any case, spaces and BOM", "\ufeffName,Date Of Birth,DOB\nAnn,,14/03/1994\n", 0, nil}, // unknown column: header error below
		{"every column", "reference,name,aliases,nicknames,dob,gender,flags,ocg_reference,role,source_ref,confidence,classification,handling_code\n" +
			"NICHE-1,Ann Smith,Annie;A. Smith,Smudge,1994-03-14,F,weapons,OCG-2026-0001,principal,IR-1,High,official,p\n", 1, nil},
		{"blank lines keep spreadsheet numbers", "name,dob\n\nAnn,\n\n\nBob,never\n", 1, []string{"row 6, column dob"}},
		{"multi-line cell is one row", "name,dob\n\"Ann\nSmith\",\nBob,never\n", 1, []string{"row 3, column dob"}},
		{"future dob", "name,dob\nAnn,01/01/2030\n", 0, []string{"row 2, column dob"}},
		{"old dob", "name,dob\nAnn,01/01/1850\n", 0, []string{"row 2, column dob"}},
		{"reserved reference", "reference,name\nP-000001,Ann\n", 0, []string{"row 2, column reference"}},
		{"bad reference", "reference,name\n\"A,B\",Ann\n", 0, []string{"row 2, column reference"}},
		{"bad reference characters", "reference,name\n<script>,Ann\n", 0, []string{"row 2, column reference"}},
		{"membership incomplete", "name,ocg_reference,role\nAnn,OCG-2026-0001,boss\n", 0, []string{"row 2, column role", "row 2, column confidence", "row 2, column source_ref"}},
		{"role without group", "name,role\nAnn,principal\n", 0, []string{"row 2, column ocg_reference"}},
		{"secret", "name,classification\nAnn,SECRET\n", 0, []string{"row 2, column classification"}},
		{"bad handling", "name,handling_code\nAnn,X\n", 0, []string{"row 2, column handling_code"}},
		{"bad quoting", "name,dob\n\"Ann,\n", 0, []string{"row 2"}},
		{"exported preamble and marking skipped", "OFFICIAL-SENSITIVE\nExported from Alliance by X\nname\nAnn\nOFFICIAL-SENSITIVE\n", 1, nil},
		{"long name", "name\n" + strings.Repeat("a", 201) + "\n", 0, []string{"row 2, column name"}},
		{"invalid UTF-8", "name\n\xff\xfe\n", 0, []string{"row 2, column name"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rows, fields, err := readPeople(t, NewCSVRows(strings.NewReader(tc.in)))
			if tc.name == "header any case, spaces and BOM" {
				var verr *domain.ValidationError
				if !errors.As(err, &verr) || !strings.Contains(verr.Error(), "date_of_birth") {
					t.Fatalf("got %v, want an unknown column date_of_birth", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("got %v, want no file error", err)
			}
			if len(rows) != tc.wantRows {
				t.Errorf("got %d good rows, want %d", len(rows), tc.wantRows)
			}
			if fmt.Sprint(fields) != fmt.Sprint(tc.wantField) {
				t.Errorf("got problems %v, want %v", fields, tc.wantField)
			}
		})
	}
}

func TestPersonReaderValues(t *testing.T) {
	rows, fields, err := readPeople(t, NewCSVRows(strings.NewReader(
		"reference,name,aliases,nicknames,dob,gender,flags,ocg_reference,role,source_ref,confidence,classification,handling_code\n"+
			"niche-1, Ann   Smith ,Annie; A. Smith ;Annie,Smudge,14/03/1994,F,Weapons; Drugs supply,ocg-2026-0001,PRINCIPAL,IR-1,High,official sensitive,c\n")))
	if err != nil || len(fields) > 0 {
		t.Fatalf("got %v %v", err, fields)
	}
	p := rows[0]
	dob := time.Date(1994, 3, 14, 0, 0, 0, 0, time.UTC)
	want := PersonRow{Row: 2, Reference: "NICHE-1", Name: "Ann Smith", Aliases: []string{"Annie", "A. Smith"}, Nicknames: []string{"Smudge"},
		DOB: &dob, Gender: "female", Flags: []string{"weapons", "drugs_supply"}, OCGReference: "OCG-2026-0001", Role: domain.RolePrincipal,
		SourceRef: "IR-1", Confidence: domain.ConfidenceHigh, Marking: MarkingCells{Classification: domain.OfficialSensitive, Handling: domain.HandlingC}}
	if fmt.Sprintf("%+v", p) != fmt.Sprintf("%+v", want) || !p.DOB.Equal(dob) {
		t.Errorf("got %+v, want %+v", p, want)
	}
}

func TestHeaderProblems(t *testing.T) {
	tests := []struct {
		name string
		kind RegisterKind
		in   string
		want string // part of the message
	}{
		{"empty", KindGroups, "", "empty"},
		{"missing", KindGroups, "name\nA\n", `missing column "primary_threat"`},
		{"unknown", KindLinks, "from_reference,to_reference,type,source_ref,confidence,weight\n", `unknown column "weight"`},
		{"twice", KindPeople, "name,Name\n", "appears twice"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			src := NewCSVRows(strings.NewReader(tc.in))
			switch tc.kind {
			case KindGroups:
				_, err = NewGroupReader(src, ReaderOptions{})
			case KindPeople:
				_, err = NewPersonReader(src, ReaderOptions{})
			case KindLinks:
				_, err = NewLinkReader(src, ReaderOptions{})
			}
			var verr *domain.ValidationError
			if !errors.As(err, &verr) || !strings.Contains(verr.Error(), tc.want) {
				t.Errorf("got %v, want a problem containing %q", err, tc.want)
			}
		})
	}
}

func TestGroupAndLinkReaders(t *testing.T) {
	g, err := NewGroupReader(NewCSVRows(strings.NewReader("name,primary_threat,ownership_level,status,threats,home_area\n"+
		"Ravens,County_Lines,force,Under assessment,drugs;Firearms,e05001411\n"+
		"X,drugs,galactic,adopted,,W1\n")), ReaderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	row, probs, err := g.Next()
	if err != nil || len(probs) > 0 {
		t.Fatalf("got %v %v", err, probs)
	}
	if row.PrimaryThreat != "county_lines" || row.Ownership != domain.OwnLocal || row.Status != domain.StatusUnderAssessment ||
		fmt.Sprint(row.Threats) != "[drugs firearms]" || row.HomeArea != "E05001411" {
		t.Errorf("got %+v", row)
	}
	_, probs, _ = g.Next()
	var fields []string
	for _, p := range probs {
		fields = append(fields, p.Field)
	}
	if want := "[row 3, column ownership_level row 3, column status row 3, column home_area]"; fmt.Sprint(fields) != want {
		t.Errorf("got %v, want %s", fields, want)
	}
	l, err := NewLinkReader(NewCSVRows(strings.NewReader("from_reference,to_reference,type,role,valid_from,valid_to,source_ref,confidence\n"+
		"P-000001,OCG-2026-0001,Member of,peripheral,01/02/2025,01/01/2025,IR-1,low\n"+
		"P-000001,P-000002,associate,principal,,,,sure\n")), ReaderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	_, probs, _ = l.Next()
	if len(probs) != 1 || probs[0].Field != "row 2, column valid_to" {
		t.Errorf("got %v, want valid_to before valid_from", probs)
	}
	_, probs, _ = l.Next()
	fields = nil
	for _, p := range probs {
		fields = append(fields, p.Field)
	}
	if want := "[row 3, column role row 3, column source_ref row 3, column confidence]"; fmt.Sprint(fields) != want {
		t.Errorf("got %v, want %s", fields, want)
	}
}

func xlsxFile(t testing.TB, sheet string, rows [][]any) *bytes.Buffer {
	t.Helper()
	x := excelize.NewFile()
	if sheet != "Sheet1" {
		if _, err := x.NewSheet(sheet); err != nil {
			t.Fatal(err)
		}
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := x.SetSheetRow(sheet, cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := x.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return &buf
}

func TestXLSXRows(t *testing.T) {
	buf := xlsxFile(t, "People", [][]any{{"Name", "DOB"}, {"Ann", 34407}, {}, {"Bob", "soon"}})
	src, err := OpenXLSXRows(bytes.NewReader(buf.Bytes()), "people", XLSXLimits{})
	if err != nil {
		t.Fatal(err)
	}
	rows, fields, err := readPeople(t, src)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].DOB == nil || rows[0].DOB.Format("2006-01-02") != "1994-03-14" {
		t.Errorf("got %+v, want Ann born 14 March 1994", rows)
	}
	if fmt.Sprint(fields) != "[row 4, column dob]" {
		t.Errorf("got %v, want row 4's dob (the blank row 3 counted)", fields)
	}
	if _, err := OpenXLSXRows(bytes.NewReader(buf.Bytes()), "Nope", XLSXLimits{}); err == nil || !strings.Contains(err.Error(), "no sheet") {
		t.Errorf("got %v, want no such sheet", err)
	}
	if _, err := OpenXLSXRows(strings.NewReader("not a zip"), "", XLSXLimits{}); err == nil {
		t.Error("got no error for a file that is not a workbook")
	}
	// A workbook that expands beyond the limit is refused (zip bomb).
	big := xlsxFile(t, "Sheet1", func() [][]any {
		var r [][]any
		for i := range 2000 {
			r = append(r, []any{strings.Repeat("x", 500), i})
		}
		return r
	}())
	if _, err := OpenXLSXRows(big, "", XLSXLimits{Unzipped: 64 << 10}); err == nil {
		t.Error("got no error for a workbook over the unzip limit")
	}
}

func checkReader[T any](t *testing.T, r *Reader[T], ok func(T) bool) {
	for range 10000 {
		v, probs, err := r.Next()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			return
		}
		for _, p := range probs {
			if !strings.HasPrefix(p.Field, "row ") || p.Message == "" {
				t.Fatalf("got problem %+v, want a row and a message", p)
			}
		}
		if len(probs) == 0 && !ok(v) {
			t.Fatalf("got invalid row accepted: %+v", v)
		}
	}
}

func fuzzSeeds(f *testing.F, seeds ...string) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Add("\ufeffname\n\"")
	f.Add("OFFICIAL\nname\n,,,\n")
}

func FuzzPersonReader(f *testing.F) {
	fuzzSeeds(f, "reference,name,aliases,dob,gender,flags,ocg_reference,role,source_ref,confidence\nX-1,Ann,A;B,14/03/1994,f,weapons,OCG-2026-0001,principal,IR,high\n",
		"name,dob\nAnn,1994-03-14\n\n\"B\nob\",\n")
	f.Fuzz(func(t *testing.T, in string) {
		r, err := NewPersonReader(NewCSVRows(strings.NewReader(in)), ReaderOptions{Today: today})
		if err != nil {
			var verr *domain.ValidationError
			if !errors.As(err, &verr) || len(verr.Problems) == 0 {
				t.Fatalf("got %v, want a ValidationError", err)
			}
			return
		}
		checkReader(t, r, func(p PersonRow) bool {
			return p.Name != "" && (p.DOB == nil || !p.DOB.After(today)) && (p.OCGReference == "" || (p.Role != "" && p.Confidence != "" && p.SourceRef != "")) &&
				(p.Reference == "" || !ReservedReference(p.Reference))
		})
	})
}

func FuzzGroupReader(f *testing.F) {
	fuzzSeeds(f, "name,primary_threat,ownership_level,status,threats,home_area,handling_code\nR,drugs,local,proposed,a;b,E05001411,P\n")
	f.Fuzz(func(t *testing.T, in string) {
		r, err := NewGroupReader(NewCSVRows(strings.NewReader(in)), ReaderOptions{Today: today})
		if err != nil {
			return
		}
		checkReader(t, r, func(g GroupRow) bool {
			return g.Name != "" && g.PrimaryThreat != "" && g.Ownership != "" &&
				(g.Status == domain.StatusProposed || g.Status == domain.StatusUnderAssessment) && (g.HomeArea == "" || domain.ValidONSCode(g.HomeArea))
		})
	})
}

func FuzzLinkReader(f *testing.F) {
	fuzzSeeds(f, "from_reference,to_reference,type,role,valid_from,valid_to,source_ref,confidence\nP-1,OCG-2026-0001,member_of,principal,01/01/2025,,IR,high\n")
	f.Fuzz(func(t *testing.T, in string) {
		r, err := NewLinkReader(NewCSVRows(strings.NewReader(in)), ReaderOptions{Today: today})
		if err != nil {
			return
		}
		checkReader(t, r, func(l LinkRow) bool {
			return l.From != "" && l.To != "" && l.From != l.To && l.SourceRef != "" && l.Confidence != "" &&
				((l.Type == domain.LinkMemberOf) == (l.Role != "")) && (l.ValidFrom == nil || l.ValidTo == nil || !l.ValidTo.Before(*l.ValidFrom))
		})
	})
}

func FuzzXLSXRows(f *testing.F) {
	f.Add(xlsxFile(f, "Sheet1", [][]any{{"name", "dob"}, {"Ann", 34407}}).Bytes())
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, in []byte) {
		src, err := OpenXLSXRows(bytes.NewReader(in), "", XLSXLimits{Unzipped: 8 << 20})
		if err != nil {
			return
		}
		defer src.Close()
		r, err := NewPersonReader(src, ReaderOptions{Today: today})
		if err != nil {
			return
		}
		checkReader(t, r, func(p PersonRow) bool { return p.Name != "" })
	})
}
