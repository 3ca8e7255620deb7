package importexport

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"alliance/internal/domain"
)

// LegacyReportColumns are the columns of a file of historic information
// reports graded under 5x5x5; LegacyReportRequired must all be present.
var (
	LegacyReportColumns  = []string{"reference", "recorded_on", "title", "text", "grading", "classification", "conditions", "restricted"}
	LegacyReportRequired = []string{"reference", "recorded_on", "title", "text", "grading", "classification"}
)

// MaxLegacyReportRows is the most data rows one file of historic reports
// may hold.
const MaxLegacyReportRows = 20000

// Limits on a historic report's cells, in characters.
const (
	maxLegacyReference = 60
	maxLegacyTitle     = 200
	maxLegacyText      = 20000
	maxLegacyCondition = 1000
)

// LegacyReport is one row of a historic report file, checked: its grading
// split into the three 5x5x5 codes as recorded, its classification one
// Alliance holds.
type LegacyReport struct {
	Row            int
	Reference      string
	RecordedOn     time.Time
	Title, Text    string
	Source         string // A … E
	Intel          string // 1 … 5
	Handling       string // 1 … 5
	Classification domain.Classification
	Conditions     string
	Restricted     bool
}

// oldMarkings are the Government Protective Marking Scheme's markings,
// which 5x5x5 forms carried before April 2014.
var oldMarkings = map[string]bool{"PROTECT": true, "RESTRICTED": true, "CONFIDENTIAL": true, "UNCLASSIFIED": true}

// ReadLegacyReports reads a whole file of historic reports from src and
// returns its rows and every problem found, each naming its row and
// column (at most maxProblems; more says how many were left out). A file
// with problems must be stored not at all. err is a failure to read the
// file, not a bad row.
func ReadLegacyReports(src RowReader, maxProblems int) (rows []LegacyReport, problems []domain.FieldError, more int, err error) {
	add := func(row int, col, format string, args ...any) {
		if len(problems) >= maxProblems {
			more++
			return
		}
		field := fmt.Sprintf("row %d", row)
		if col != "" {
			field += ", column " + col
		}
		problems = append(problems, domain.FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	header, err := src.Next()
	if errors.Is(err, io.EOF) {
		add(1, "", "The file is empty: its first row must name the columns (%s)", strings.Join(LegacyReportRequired, ", "))
		return nil, problems, more, nil
	}
	var re *RowError
	if errors.As(err, &re) {
		add(re.Row, "", "%s", re.Msg)
		return nil, problems, more, nil
	}
	if err != nil {
		return nil, nil, 0, err
	}
	idx := map[string]int{}
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(h))
		if name == "" {
			continue
		}
		if !contains(LegacyReportColumns, name) {
			add(1, clip(h), "Alliance does not know this column: the columns are %s", strings.Join(LegacyReportColumns, ", "))
			continue
		}
		if _, dup := idx[name]; dup {
			add(1, name, "The column appears twice")
			continue
		}
		idx[name] = i
	}
	for _, c := range LegacyReportRequired {
		if _, ok := idx[c]; !ok {
			add(1, c, "The column is missing: it is required")
		}
	}
	if len(problems) > 0 {
		return nil, problems, more, nil
	}
	seen := map[string]int{}
	for {
		rec, err := src.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if errors.As(err, &re) {
			add(re.Row, "", "%s", re.Msg)
			continue
		}
		if err != nil {
			return nil, nil, 0, err
		}
		if isBlank(rec) {
			continue
		}
		row := src.Row()
		if len(rows)+1 > MaxLegacyReportRows {
			add(row, "", "The file holds more than %d reports: split it into several files", MaxLegacyReportRows)
			break
		}
		cell := func(col string) string {
			i, ok := idx[col]
			if !ok || i >= len(rec) {
				return ""
			}
			return strings.TrimSpace(rec[i])
		}
		r := LegacyReport{Row: row, Reference: cell("reference"), Title: cell("title"), Text: cell("text"), Conditions: cell("conditions")}
		text := func(col, v string, required bool, limit int) {
			switch {
			case v == "" && required:
				add(row, col, "Enter the %s: it is required", strings.ReplaceAll(col, "_", " "))
			case utf8.RuneCountInString(v) > limit:
				add(row, col, "The %s must be %d characters or fewer", strings.ReplaceAll(col, "_", " "), limit)
			case !domain.StorableText(v):
				add(row, col, "The %s %s", strings.ReplaceAll(col, "_", " "), domain.MsgUnstorableText)
			}
		}
		text("reference", r.Reference, true, maxLegacyReference)
		text("title", r.Title, true, maxLegacyTitle)
		text("text", r.Text, true, maxLegacyText)
		text("conditions", r.Conditions, false, maxLegacyCondition)
		if r.Reference != "" {
			key := strings.ToUpper(r.Reference)
			if first, dup := seen[key]; dup {
				add(row, "reference", "The reference %s is also on row %d: each report once", clip(r.Reference), first)
			} else {
				seen[key] = row
			}
		}
		if v := cell("recorded_on"); v == "" {
			add(row, "recorded_on", "Enter the date the report was recorded, like 14/03/2011")
		} else if d, ok := domain.ParseDay(v); !ok {
			add(row, "recorded_on", "%q is not a date: write it like 14/03/2011", clip(v))
		} else if d.After(time.Now()) {
			add(row, "recorded_on", "The date the report was recorded cannot be in the future")
		} else {
			r.RecordedOn = d
		}
		g := strings.ToUpper(strings.Map(func(c rune) rune {
			if unicode.IsSpace(c) || c == '/' || c == '-' || c == '.' {
				return -1
			}
			return c
		}, cell("grading")))
		switch {
		case g == "":
			add(row, "grading", "Enter the 5x5x5 grading as recorded, like B35")
		case len(g) != 3 || domain.LegacySourceGrades[g[:1]] == "" || domain.LegacyIntelGrades[g[1:2]] == "" || domain.LegacyHandlingCodes[g[2:]] == "":
			add(row, "grading", "%q is not a 5x5x5 grading: a source evaluation A to E, an intelligence evaluation 1 to 5 and a handling code 1 to 5, like B35", clip(cell("grading")))
		default:
			r.Source, r.Intel, r.Handling = g[:1], g[1:2], g[2:]
		}
		switch c := strings.ToUpper(cell("classification")); {
		case c == "OFFICIAL" || c == "OFFICIAL-SENSITIVE":
			r.Classification = domain.Classification(c)
		case c == "":
			add(row, "classification", "Enter the classification: OFFICIAL or OFFICIAL-SENSITIVE")
		case oldMarkings[c]:
			add(row, "classification", "%s is a marking from before 2014: give the report's classification today, OFFICIAL or OFFICIAL-SENSITIVE (Alliance does not guess it)", c)
		case c == "SECRET" || c == "TOP SECRET":
			add(row, "classification", "Alliance holds OFFICIAL and OFFICIAL-SENSITIVE only: a %s report stays where it is held", c)
		default:
			add(row, "classification", "%q is not a classification: OFFICIAL or OFFICIAL-SENSITIVE", clip(c))
		}
		switch v := strings.ToLower(cell("restricted")); v {
		case "", "no", "n", "false", "0":
		case "yes", "y", "true", "1":
			r.Restricted = true
		default:
			add(row, "restricted", "%q is not yes or no", clip(v))
		}
		rows = append(rows, r)
	}
	if len(rows) == 0 && len(problems) == 0 {
		add(2, "", "The file has no reports under its header row")
	}
	return rows, problems, more, nil
}
