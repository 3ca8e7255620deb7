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

// legacyReader holds what ReadLegacyReports has found so far.
type legacyReader struct {
	max      int
	problems []domain.FieldError
	more     int
	idx      map[string]int
	seen     map[string]int
}

func (lr *legacyReader) add(row int, col, format string, args ...any) {
	if len(lr.problems) >= lr.max {
		lr.more++
		return
	}
	field := fmt.Sprintf("row %d", row)
	if col != "" {
		field += ", column " + col
	}
	lr.problems = append(lr.problems, domain.FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

// ReadLegacyReports reads a whole file of historic reports from src and
// returns its rows and every problem found, each naming its row and
// column (at most maxProblems; more says how many were left out). A file
// with problems must be stored not at all. err is a failure to read the
// file, not a bad row.
func ReadLegacyReports(src RowReader, maxProblems int) (rows []LegacyReport, problems []domain.FieldError, more int, err error) {
	lr := &legacyReader{max: maxProblems, idx: map[string]int{}, seen: map[string]int{}}
	ok, err := lr.header(src)
	if err != nil {
		return nil, nil, 0, err
	}
	if !ok {
		return nil, lr.problems, lr.more, nil
	}
	var re *RowError
	for {
		rec, err := src.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if errors.As(err, &re) {
			lr.add(re.Row, "", "%s", re.Msg)
			continue
		}
		if err != nil {
			return nil, nil, 0, err
		}
		if isBlank(rec) {
			continue
		}
		if len(rows)+1 > MaxLegacyReportRows {
			lr.add(src.Row(), "", "The file holds more than %d reports: split it into several files", MaxLegacyReportRows)
			break
		}
		rows = append(rows, lr.row(src.Row(), rec))
	}
	if len(rows) == 0 && len(lr.problems) == 0 {
		lr.add(2, "", "The file has no reports under its header row")
	}
	return rows, lr.problems, lr.more, nil
}

// header reads the header row into lr.idx, reporting whether the file
// may be read on.
func (lr *legacyReader) header(src RowReader) (bool, error) {
	header, err := src.Next()
	if errors.Is(err, io.EOF) {
		lr.add(1, "", "The file is empty: its first row must name the columns (%s)", strings.Join(LegacyReportRequired, ", "))
		return false, nil
	}
	var re *RowError
	if errors.As(err, &re) {
		lr.add(re.Row, "", "%s", re.Msg)
		return false, nil
	}
	if err != nil {
		return false, err
	}
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(h))
		if name == "" {
			continue
		}
		if !contains(LegacyReportColumns, name) {
			lr.add(1, clip(h), "Alliance does not know this column: the columns are %s", strings.Join(LegacyReportColumns, ", "))
			continue
		}
		if _, dup := lr.idx[name]; dup {
			lr.add(1, name, "The column appears twice")
			continue
		}
		lr.idx[name] = i
	}
	for _, c := range LegacyReportRequired {
		if _, ok := lr.idx[c]; !ok {
			lr.add(1, c, "The column is missing: it is required")
		}
	}
	return len(lr.problems) == 0, nil
}

// row checks one data row, adding its problems.
func (lr *legacyReader) row(row int, rec []string) LegacyReport {
	cell := func(col string) string {
		i, ok := lr.idx[col]
		if !ok || i >= len(rec) {
			return ""
		}
		return strings.TrimSpace(rec[i])
	}
	r := LegacyReport{Row: row, Reference: cell("reference"), Title: cell("title"), Text: cell("text"), Conditions: cell("conditions")}
	text := func(col, v string, required bool, limit int) {
		switch {
		case v == "" && required:
			lr.add(row, col, "Enter the %s: it is required", strings.ReplaceAll(col, "_", " "))
		case utf8.RuneCountInString(v) > limit:
			lr.add(row, col, "The %s must be %d characters or fewer", strings.ReplaceAll(col, "_", " "), limit)
		case !domain.StorableText(v):
			lr.add(row, col, "The %s %s", strings.ReplaceAll(col, "_", " "), domain.MsgUnstorableText)
		}
	}
	text("reference", r.Reference, true, maxLegacyReference)
	text("title", r.Title, true, maxLegacyTitle)
	text("text", r.Text, true, maxLegacyText)
	text("conditions", r.Conditions, false, maxLegacyCondition)
	if r.Reference != "" {
		key := strings.ToUpper(r.Reference)
		if first, dup := lr.seen[key]; dup {
			lr.add(row, "reference", "The reference %s is also on row %d: each report once", clip(r.Reference), first)
		} else {
			lr.seen[key] = row
		}
	}
	r.RecordedOn = lr.recordedOn(row, cell("recorded_on"))
	r.Source, r.Intel, r.Handling = lr.grading(row, cell("grading"))
	r.Classification = lr.classification(row, cell("classification"))
	switch v := strings.ToLower(cell("restricted")); v {
	case "", "no", "n", "false", "0":
	case "yes", "y", "true", "1":
		r.Restricted = true
	default:
		lr.add(row, "restricted", "%q is not yes or no", clip(v))
	}
	return r
}

func (lr *legacyReader) recordedOn(row int, v string) time.Time {
	if v == "" {
		lr.add(row, "recorded_on", "Enter the date the report was recorded, like 14/03/2011")
		return time.Time{}
	}
	d, ok := domain.ParseDay(v)
	switch {
	case !ok:
		lr.add(row, "recorded_on", "%q is not a date: write it like 14/03/2011", clip(v))
	case d.After(time.Now()):
		lr.add(row, "recorded_on", "The date the report was recorded cannot be in the future")
	default:
		return d
	}
	return time.Time{}
}

// grading splits a 5x5x5 code ("B35", "b/3/5", "B 3 5") into its parts.
func (lr *legacyReader) grading(row int, v string) (source, intel, handling string) {
	g := strings.ToUpper(strings.Map(func(c rune) rune {
		if unicode.IsSpace(c) || c == '/' || c == '-' || c == '.' {
			return -1
		}
		return c
	}, v))
	switch {
	case g == "":
		lr.add(row, "grading", "Enter the 5x5x5 grading as recorded, like B35")
	case len(g) != 3 || domain.LegacySourceGrades[g[:1]] == "" || domain.LegacyIntelGrades[g[1:2]] == "" || domain.LegacyHandlingCodes[g[2:]] == "":
		lr.add(row, "grading", "%q is not a 5x5x5 grading: a source evaluation A to E, an intelligence evaluation 1 to 5 and a handling code 1 to 5, like B35", clip(v))
	default:
		return g[:1], g[1:2], g[2:]
	}
	return "", "", ""
}

func (lr *legacyReader) classification(row int, v string) domain.Classification {
	switch c := strings.ToUpper(v); {
	case c == "OFFICIAL" || c == "OFFICIAL-SENSITIVE":
		return domain.Classification(c)
	case c == "":
		lr.add(row, "classification", "Enter the classification: OFFICIAL or OFFICIAL-SENSITIVE")
	case oldMarkings[c]:
		lr.add(row, "classification", "%s is a marking from before 2014: give the report's classification today, OFFICIAL or OFFICIAL-SENSITIVE (Alliance does not guess it)", c)
	case c == "SECRET" || c == "TOP SECRET":
		lr.add(row, "classification", "Alliance holds OFFICIAL and OFFICIAL-SENSITIVE only: a %s report stays where it is held", c)
	default:
		lr.add(row, "classification", "%q is not a classification: OFFICIAL or OFFICIAL-SENSITIVE", clip(c))
	}
	return ""
}
