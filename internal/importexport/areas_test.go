package importexport

import (
	"errors"
	"strings"
	"testing"

	"alliance/internal/domain"
)

func TestParseAreasCSV(t *testing.T) {
	tests := []struct {
		name      string
		in        string
		wantRows  int
		wantField []string // fields that must have a problem
	}{
		{"valid", "level,code,name,parent_code,population\nregion,E12000003,Yorkshire and The Humber,,\nforce,E23000010,West Yorkshire,E12000003,\ndistrict,E08000035,Leeds,E23000010,\"812,000\"\nward,E05001411,Adel and Wharfedale,E08000035,17000\n", 4, nil},
		{"bom and any column order", "\ufeffname,code,level,parent_code\nLeeds,E08000035,district,E23000010\n", 1, nil},
		{"blank lines skipped", "level,code,name,parent_code\n\nward,E05001411,Adel,E08000035\n,,,\n", 1, nil},
		{"empty file", "", 0, []string{"file"}},
		{"header only", "level,code,name,parent_code\n", 0, []string{"file"}},
		{"missing column", "level,code,name\nward,E05001411,Adel\n", 0, []string{"row 1"}},
		{"unknown column", "level,code,name,parent_code,colour\nward,E05001411,Adel,E08000035,red\n", 0, []string{"row 1"}},
		{"bad level", "level,code,name,parent_code\nparish,E05001411,Adel,E08000035\n", 0, []string{"row 2, column level"}},
		{"bad code", "level,code,name,parent_code\nward,X123,Adel,E08000035\n", 0, []string{"row 2, column code"}},
		{"missing name", "level,code,name,parent_code\nward,E05001411,,E08000035\n", 0, []string{"row 2, column name"}},
		{"ward without parent", "level,code,name,parent_code\nward,E05001411,Adel,\n", 0, []string{"row 2, column parent_code"}},
		{"region with parent", "level,code,name,parent_code\nregion,E12000003,Yorkshire,E92000001\n", 0, []string{"row 2, column parent_code"}},
		{"own parent", "level,code,name,parent_code\nward,E05001411,Adel,E05001411\n", 0, []string{"row 2, column parent_code"}},
		{"duplicate code", "level,code,name,parent_code\nward,E05001411,Adel,E08000035\nward,E05001411,Adel again,E08000035\n", 0, []string{"row 3, column code"}},
		{"bad population", "level,code,name,parent_code,population\nward,E05001411,Adel,E08000035,lots\n", 0, []string{"row 2, column population"}},
		{"negative population", "level,code,name,parent_code,population\nward,E05001411,Adel,E08000035,-1\n", 0, []string{"row 2, column population"}},
		{"bad quoting", "level,code,name,parent_code\nward,E05001411,\"Adel,E08000035\n", 0, []string{"row 2"}},
		{"problems on several rows", "level,code,name,parent_code\nward,bad,Adel,E08000035\nward,E05001412,,E08000035\n", 0, []string{"row 2, column code", "row 3, column name"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rows, err := ParseAreasCSV(strings.NewReader(tc.in))
			if len(tc.wantField) == 0 {
				if err != nil {
					t.Fatalf("got %v, want no error", err)
				}
				if len(rows) != tc.wantRows {
					t.Errorf("got %d rows, want %d", len(rows), tc.wantRows)
				}
				return
			}
			var verr *domain.ValidationError
			if !errors.As(err, &verr) {
				t.Fatalf("got %v, want a ValidationError", err)
			}
			if rows != nil {
				t.Errorf("got %d rows alongside the error, want none", len(rows))
			}
			for _, f := range tc.wantField {
				if !verr.Has(f) {
					t.Errorf("got problems %+v, want one for %q", verr.Problems, f)
				}
			}
		})
	}
}

func TestParseAreasCSVValues(t *testing.T) {
	rows, err := ParseAreasCSV(strings.NewReader("level,code,name,parent_code,population\n Ward , e05001411 , Adel and Wharfedale , e08000035 ,\"17,123\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := AreaRow{Row: 2, Level: domain.LevelWard, Code: "E05001411", Name: "Adel and Wharfedale", ParentCode: "E08000035", Population: 17123}
	if rows[0] != want {
		t.Errorf("got %+v, want %+v", rows[0], want)
	}
}

func FuzzParseAreasCSV(f *testing.F) {
	f.Add("level,code,name,parent_code,population\nward,E05001411,Adel,E08000035,17000\n")
	f.Add("level,code,name,parent_code\nregion,E12000003,Y,\n")
	f.Add("\ufefflevel,code\n\"")
	f.Fuzz(func(t *testing.T, in string) {
		rows, err := ParseAreasCSV(strings.NewReader(in))
		if err != nil {
			var verr *domain.ValidationError
			if !errors.As(err, &verr) || len(verr.Problems) == 0 {
				t.Fatalf("got error %v, want a ValidationError with problems", err)
			}
			if rows != nil {
				t.Fatalf("got rows with an error")
			}
			return
		}
		if len(rows) == 0 {
			t.Fatal("got no rows and no error")
		}
		for _, r := range rows {
			if !domain.ValidONSCode(r.Code) || r.Name == "" || r.Level.Depth() < 0 {
				t.Fatalf("got invalid row accepted: %+v", r)
			}
			if r.Level != domain.LevelRegion && !domain.ValidONSCode(r.ParentCode) {
				t.Fatalf("got row without a valid parent accepted: %+v", r)
			}
		}
	})
}
