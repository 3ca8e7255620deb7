// Package importexport reads and writes partner data files (CSV, and XLSX
// as capabilities need it). Parsers check every row and report each problem
// with its row number and column name, so a user can fix the whole file in
// one pass; they never return half a file as if it were whole.
package importexport

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"alliance/internal/domain"
)

// AreaRow is one row of an areas file: one org unit of the reporting
// structure.
type AreaRow struct {
	Row        int // 1-based line number in the file, the header being row 1
	Level      domain.OrgLevel
	Code       string
	Name       string
	ParentCode string
	Population int64
}

// AreaColumns are the columns of an areas CSV file. level, code and name are
// required; parent_code is required for every level below region;
// population is optional.
var AreaColumns = []string{"level", "code", "name", "parent_code", "population"}

// MaxAreaRows bounds an areas file: England has about 7,000 wards.
const MaxAreaRows = 50000

// ParseAreasCSV reads an areas CSV file. It returns every valid row, and a
// *domain.ValidationError naming each bad row and column when there is any
// problem; callers must store nothing when the error is not nil.
func ParseAreasCSV(r io.Reader) ([]AreaRow, error) {
	br := bufio.NewReader(r)
	if err := sniffCSV(br); err != nil {
		verr := &domain.ValidationError{}
		verr.Add("file", "%s", err.Error())
		return nil, verr
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	verr := &domain.ValidationError{}
	header, err := cr.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			verr.Add("file", "the file is empty; the first row must name the columns %s", strings.Join(AreaColumns, ", "))
			return nil, verr
		}
		verr.Add("row 1", "cannot read the header: %s", csvProblem(err))
		return nil, verr
	}
	idx := areaHeader(header, verr)
	if verr.Err() != nil {
		return nil, verr
	}
	var rows []AreaRow
	seen := map[string]int{}
	line := 1
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line++
		if err != nil {
			verr.Add(fmt.Sprintf("row %d", line), "cannot read the row: %s", csvProblem(err))
			if len(verr.Problems) > 100 {
				break
			}
			continue
		}
		if len(rows) >= MaxAreaRows {
			verr.Add("file", "more than %d rows; split the file", MaxAreaRows)
			break
		}
		if isBlank(rec) {
			continue
		}
		row := parseAreaRow(rec, idx, line, seen, verr)
		rows = append(rows, row)
		if len(verr.Problems) > 100 {
			verr.Add("file", "more than 100 problems; fix these and try again")
			break
		}
	}
	if len(rows) == 0 && verr.Err() == nil {
		verr.Add("file", "the file has a header but no areas")
	}
	if err := verr.Err(); err != nil {
		return nil, err
	}
	return rows, nil
}

// areaHeader checks an areas file's header row (every required column
// once, no unknown column), adding problems to verr, and returns where
// each column is.
func areaHeader(header []string, verr *domain.ValidationError) map[string]int {
	idx := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if _, dup := idx[h]; dup {
			verr.Add("row 1", "column %q appears twice", h)
		}
		idx[h] = i
	}
	for _, c := range []string{"level", "code", "name", "parent_code"} {
		if _, ok := idx[c]; !ok {
			verr.Add("row 1", "missing column %q (the columns are %s)", c, strings.Join(AreaColumns, ", "))
		}
	}
	for h := range idx {
		if !contains(AreaColumns, h) {
			verr.Add("row 1", "unknown column %q (the columns are %s)", h, strings.Join(AreaColumns, ", "))
		}
	}
	return idx
}

// areaCell is the trimmed cell of rec in column col (at idx), or "".
func areaCell(rec []string, idx map[string]int, col string) string {
	i, ok := idx[col]
	if !ok || i >= len(rec) {
		return ""
	}
	return strings.TrimSpace(rec[i])
}

// parseAreaRow reads record rec, on line of the file, adding its
// problems to verr; seen maps the codes of the rows before it to their
// lines.
func parseAreaRow(rec []string, idx map[string]int, line int, seen map[string]int, verr *domain.ValidationError) AreaRow {
	get := func(rec []string, col string) string { return areaCell(rec, idx, col) }
	field := func(col string) string { return fmt.Sprintf("row %d, column %s", line, col) }
	row := AreaRow{Row: line, Code: strings.ToUpper(get(rec, "code")), Name: get(rec, "name"), ParentCode: strings.ToUpper(get(rec, "parent_code"))}
	level, err := domain.ParseOrgLevel(get(rec, "level"))
	if err != nil {
		verr.Add(field("level"), "%s", err)
	}
	row.Level = level
	switch {
	case row.Code == "":
		verr.Add(field("code"), "enter the area's ONS code, like E05006189")
	case !domain.ValidONSCode(row.Code):
		verr.Add(field("code"), "%q is not an ONS code: a letter E, W, S or N and eight digits, like E05006189", clip(row.Code))
	default:
		if first, dup := seen[row.Code]; dup {
			verr.Add(field("code"), "%s is already on row %d", row.Code, first)
		}
		seen[row.Code] = line
	}
	switch {
	case row.Name == "":
		verr.Add(field("name"), "enter the area's name")
	case utf8.RuneCountInString(row.Name) > 200:
		verr.Add(field("name"), "the name must be 200 characters or fewer")
	case !utf8.ValidString(row.Name):
		verr.Add(field("name"), "the name is not valid UTF-8 text")
	}
	if level == domain.LevelRegion {
		if row.ParentCode != "" {
			verr.Add(field("parent_code"), "a region is the top of the structure and has no parent; leave it empty")
		}
	} else if level != "" {
		switch {
		case row.ParentCode == "":
			verr.Add(field("parent_code"), "enter the ONS code of the %s this %s belongs to", domain.OrgLevels[level.Depth()-1], level)
		case !domain.ValidONSCode(row.ParentCode):
			verr.Add(field("parent_code"), "%q is not an ONS code", clip(row.ParentCode))
		case row.ParentCode == row.Code:
			verr.Add(field("parent_code"), "an area cannot be its own parent")
		}
	}
	if p := get(rec, "population"); p != "" {
		n, err := strconv.ParseInt(strings.ReplaceAll(p, ",", ""), 10, 64)
		if err != nil || n < 0 || n > 100_000_000 {
			verr.Add(field("population"), "%q is not a whole number of people from 0 to 100,000,000", clip(p))
		}
		row.Population = n
	}
	return row
}

func isBlank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// clip shortens echoed input so an error message stays readable.
func clip(s string) string {
	if utf8.RuneCountInString(s) <= 40 {
		return s
	}
	return string([]rune(s)[:40]) + "…"
}
