package importexport

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"alliance/internal/domain"
)

// RegisterKind is what a register file holds: groups, people or links.
type RegisterKind string

// Register file kinds.
const (
	KindGroups RegisterKind = "groups"
	KindPeople RegisterKind = "people"
	KindLinks  RegisterKind = "links"
)

// Singular names one record of the kind: group, person or link.
func (k RegisterKind) Singular() string {
	switch k {
	case KindGroups:
		return "group"
	case KindPeople:
		return "person"
	case KindLinks:
		return "link"
	}
	return string(k)
}

// ParseRegisterKind accepts groups, people or links (any case, singular
// too).
func ParseRegisterKind(s string) (RegisterKind, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "groups", "group", "ocgs", "ocg":
		return KindGroups, true
	case "people", "person", "persons":
		return KindPeople, true
	case "links", "link":
		return KindLinks, true
	}
	return "", false
}

// Format is a file format: CSV or XLSX.
type Format string

// File formats.
const (
	CSV  Format = "csv"
	XLSX Format = "xlsx"
)

// ParseFormat accepts csv or xlsx (any case, with or without a dot).
func ParseFormat(s string) (Format, bool) {
	switch strings.TrimPrefix(strings.ToLower(strings.TrimSpace(s)), ".") {
	case "csv":
		return CSV, true
	case "xlsx":
		return XLSX, true
	}
	return "", false
}

// Columns of each register file. Required columns are checked against the
// header before any row is read.
var (
	GroupColumns = []string{"reference", "name", "operation_name", "primary_threat", "threats", "ownership_level", "status",
		"home_area", "lead_agency", "summary", "classification", "handling_code"}
	GroupRequired = []string{"name", "primary_threat", "ownership_level"}

	PersonColumns = []string{"reference", "name", "aliases", "nicknames", "dob", "gender", "flags",
		"ocg_reference", "role", "source_ref", "confidence", "classification", "handling_code"}
	PersonRequired = []string{"name"}

	LinkColumns  = []string{"from_reference", "to_reference", "type", "role", "valid_from", "valid_to", "source_ref", "confidence", "note"}
	LinkRequired = []string{"from_reference", "to_reference", "type", "source_ref", "confidence"}
)

// Columns returns the columns and the required columns of kind.
func Columns(kind RegisterKind) (all, required []string) {
	switch kind {
	case KindGroups:
		return GroupColumns, GroupRequired
	case KindPeople:
		return PersonColumns, PersonRequired
	case KindLinks:
		return LinkColumns, LinkRequired
	}
	return nil, nil
}

// RowReader yields the rows of a tabular file one at a time, so a file of
// any length is read in constant memory. CSV and XLSX files share it.
type RowReader interface {
	// Next returns the next row's cells, or io.EOF after the last. The
	// slice may be reused by the following call.
	Next() ([]string, error)
	// Row is the spreadsheet row number of the row Next last returned
	// (the header is row 1).
	Row() int
	// Close releases the file's resources (an XLSX file's temporary files).
	Close() error
}

// csvRows reads CSV records; a record is a row even when a quoted cell
// spans lines, as spreadsheets number them.
type csvRows struct {
	cr      *csv.Reader
	row     int
	lastEnd int // the line the previous record ended on
}

// NewCSVRows returns a RowReader over UTF-8 CSV text, with or without a
// byte order mark.
func NewCSVRows(r io.Reader) RowReader {
	br := bufio.NewReaderSize(r, 64<<10)
	if b, err := br.Peek(3); err == nil && bytes.Equal(b, []byte("\ufeff")) {
		_, _ = br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	return &csvRows{cr: cr}
}

// Next numbers rows as a spreadsheet shows the file: encoding/csv skips
// blank lines, which are rows too, while a quoted cell spanning lines is
// still one row.
func (c *csvRows) Next() ([]string, error) {
	rec, err := c.cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, io.EOF
	}
	if err != nil {
		var pe *csv.ParseError
		if !errors.As(err, &pe) {
			return nil, fmt.Errorf("read the file: %w", err) // the reader's, such as an upload over its limit
		}
		c.row += 1 + max(0, pe.StartLine-c.lastEnd-1)
		c.lastEnd = pe.Line
		return nil, &RowError{Row: c.row, Msg: "cannot read the row: " + csvProblem(err)}
	}
	start, _ := c.cr.FieldPos(0)
	c.row += 1 + max(0, start-c.lastEnd-1)
	last := len(rec) - 1
	endLine, _ := c.cr.FieldPos(last)
	c.lastEnd = endLine + strings.Count(rec[last], "\n")
	return rec, nil
}

func (c *csvRows) Row() int     { return c.row }
func (c *csvRows) Close() error { return nil }

// RowError is a row that cannot be read at all. Readers go on to the next
// row after one.
type RowError struct {
	Row int
	Msg string
}

func (e *RowError) Error() string { return fmt.Sprintf("row %d: %s", e.Row, e.Msg) }

// XLSXLimits bound what opening a workbook may cost, against zip bombs:
// Unzipped is the most the whole workbook may expand to, InMemory the most
// of a worksheet held in memory (beyond it excelize streams from a
// temporary file).
type XLSXLimits struct {
	Unzipped, InMemory int64
}

// DefaultXLSXLimits allow a workbook to expand to 1 GiB with 16 MiB of a
// sheet in memory.
var DefaultXLSXLimits = XLSXLimits{Unzipped: 1 << 30, InMemory: 16 << 20}

type xlsxRows struct {
	f    *excelize.File
	rows *excelize.Rows
	row  int
	date bool
}

// OpenXLSXRows opens the named sheet of a workbook, or the first sheet
// when sheet is "". An *os.File is read in place; any other reader is read
// into memory first (excelize needs random access), so callers bound its
// size. Cells are read raw: dates arrive as Excel serial numbers, which the
// register readers turn into days.
func OpenXLSXRows(r io.Reader, sheet string, lim XLSXLimits) (RowReader, error) {
	if lim.Unzipped <= 0 {
		lim.Unzipped = DefaultXLSXLimits.Unzipped
	}
	if lim.InMemory <= 0 || lim.InMemory > lim.Unzipped {
		lim.InMemory = min(DefaultXLSXLimits.InMemory, lim.Unzipped)
	}
	opts := excelize.Options{UnzipSizeLimit: lim.Unzipped, UnzipXMLSizeLimit: lim.InMemory, RawCellValue: true}
	var f *excelize.File
	var err error
	if file, ok := r.(*os.File); ok {
		f, err = excelize.OpenFile(file.Name(), opts)
	} else {
		f, err = excelize.OpenReader(r, opts)
	}
	if err != nil {
		if errors.Is(err, excelize.ErrOptionsUnzipSizeLimit) || strings.Contains(err.Error(), "size limit") {
			return nil, fmt.Errorf("the workbook expands to more than %d MB: %w", lim.Unzipped>>20, err)
		}
		return nil, fmt.Errorf("not a readable XLSX workbook: %w", err)
	}
	sheets := f.GetSheetList()
	if sheet == "" {
		if len(sheets) == 0 {
			_ = f.Close() // the workbook is refused whatever closing it says
			return nil, errors.New("the workbook has no sheets")
		}
		sheet = sheets[0]
	} else {
		found := false
		for _, s := range sheets {
			if strings.EqualFold(s, sheet) {
				sheet, found = s, true
				break
			}
		}
		if !found {
			f.Close()
			return nil, fmt.Errorf("the workbook has no sheet named %q (it has %s)", sheet, strings.Join(sheets, ", "))
		}
	}
	rows, err := f.Rows(sheet)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("read sheet %q: %w", sheet, err)
	}
	return &xlsxRows{f: f, rows: rows, date: f.WorkBook != nil && f.WorkBook.WorkbookPr != nil && f.WorkBook.WorkbookPr.Date1904}, nil
}

func (x *xlsxRows) Next() ([]string, error) {
	if !x.rows.Next() {
		if err := x.rows.Error(); err != nil {
			return nil, fmt.Errorf("read workbook: %w", err)
		}
		return nil, io.EOF
	}
	x.row++
	cols, err := x.rows.Columns(excelize.Options{RawCellValue: true})
	if err != nil {
		return nil, &RowError{Row: x.row, Msg: "cannot read the row: " + err.Error()}
	}
	return cols, nil
}

func (x *xlsxRows) Row() int { return x.row }

func (x *xlsxRows) Close() error {
	return errors.Join(x.rows.Close(), x.f.Close())
}

// OpenRows returns a RowReader for r in format; sheet picks an XLSX sheet.
func OpenRows(r io.Reader, format Format, sheet string, lim XLSXLimits) (RowReader, error) {
	switch format {
	case CSV:
		br := bufio.NewReaderSize(r, 64<<10)
		if err := sniffCSV(br); err != nil {
			return nil, err
		}
		return NewCSVRows(br), nil
	case XLSX:
		return OpenXLSXRows(r, sheet, lim)
	}
	return nil, fmt.Errorf("unknown file format %q: use csv or xlsx", format)
}

// MarkingCells is a row's own marking, when the file has the optional
// classification and handling_code columns; empty fields mean the import's
// marking.
type MarkingCells struct {
	Classification domain.Classification
	Handling       domain.HandlingCode
}

// GroupRow is one row of a groups file.
type GroupRow struct {
	Row           int
	Reference     string // upper case; "" for one from the partnership's counter
	Name          string
	OperationName string
	PrimaryThreat string
	Threats       []string
	Ownership     domain.OwnershipLevel
	Status        domain.OCGStatus
	HomeArea      string // ONS code
	LeadAgency    string // agency name or short name
	Summary       string
	Marking       MarkingCells
}

// PersonRow is one row of a people file, with an optional membership.
type PersonRow struct {
	Row          int
	Reference    string
	Name         string
	Aliases      []string
	Nicknames    []string
	DOB          *time.Time
	Gender       string
	Flags        []string
	OCGReference string
	Role         domain.MemberRole
	SourceRef    string
	Confidence   domain.Confidence
	Marking      MarkingCells
}

// LinkRow is one row of a links file.
type LinkRow struct {
	Row        int
	From, To   string // references
	Type       domain.LinkType
	Role       domain.MemberRole
	ValidFrom  *time.Time
	ValidTo    *time.Time
	SourceRef  string
	Confidence domain.Confidence
	Note       string
}

// Reader reads the rows of one register file of type T, checking each field
// as it goes. Build one with NewGroupReader, NewPersonReader or
// NewLinkReader.
type Reader[T any] struct {
	src      RowReader
	idx      map[string]int
	rec      []string
	row      int
	today    time.Time
	excel    bool // dates may be Excel serial numbers
	problems []domain.FieldError
	parse    func(r *Reader[T]) T
}

// ReaderOptions tune a register reader.
type ReaderOptions struct {
	// Today is the day dates of birth must not be after. Default: today UTC.
	Today time.Time
}

// NewGroupReader reads the header of a groups file from src.
func NewGroupReader(src RowReader, opts ReaderOptions) (*Reader[GroupRow], error) {
	return newReader(src, KindGroups, opts, parseGroup)
}

// NewPersonReader reads the header of a people file from src.
func NewPersonReader(src RowReader, opts ReaderOptions) (*Reader[PersonRow], error) {
	return newReader(src, KindPeople, opts, parsePerson)
}

// NewLinkReader reads the header of a links file from src.
func NewLinkReader(src RowReader, opts ReaderOptions) (*Reader[LinkRow], error) {
	return newReader(src, KindLinks, opts, parseLink)
}

// newReader checks the header: names are case-insensitive, every required
// column must be there, and unknown or repeated columns are refused, all
// reported at once as a *domain.ValidationError on "row 1".
func newReader[T any](src RowReader, kind RegisterKind, opts ReaderOptions, parse func(*Reader[T]) T) (*Reader[T], error) {
	all, required := Columns(kind)
	verr := &domain.ValidationError{}
	header, err := src.Next()
	// A file Alliance exported starts with its protective marking and a
	// line saying who exported it; skip them so it imports as it is.
	for err == nil && isPreamble(header) {
		header, err = src.Next()
	}
	var rerr *RowError
	switch {
	case errors.Is(err, io.EOF):
		verr.Add("file", "the file is empty; the first row must name the columns, such as %s", strings.Join(required, ", "))
		return nil, verr
	case errors.As(err, &rerr):
		verr.Add("row 1", "%s", rerr.Msg)
		return nil, verr
	case err != nil:
		verr.Add("file", "%s", err)
		return nil, verr
	}
	idx := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		h = strings.NewReplacer(" ", "_", "-", "_").Replace(h)
		if h == "" {
			continue
		}
		if _, dup := idx[h]; dup {
			verr.Add("row 1", "column %q appears twice", clip(h))
			continue
		}
		idx[h] = i
		if !contains(all, h) {
			verr.Add("row 1", "unknown column %q (the columns are %s)", clip(h), strings.Join(all, ", "))
		}
	}
	for _, c := range required {
		if _, ok := idx[c]; !ok {
			verr.Add("row 1", "missing column %q (required: %s)", c, strings.Join(required, ", "))
		}
	}
	if err := verr.Err(); err != nil {
		return nil, err
	}
	today := opts.Today
	if today.IsZero() {
		today = time.Now().UTC()
	}
	_, excel := src.(*xlsxRows)
	return &Reader[T]{src: src, idx: idx, today: today, excel: excel, parse: parse}, nil
}

// onlyCell returns the one non-empty cell of rec, if it has exactly one.
func onlyCell(rec []string) (string, bool) {
	var v string
	n := 0
	for _, c := range rec {
		if c = strings.TrimSpace(c); c != "" {
			v = c
			n++
		}
	}
	return v, n == 1
}

// isMarkingRow reports whether rec is a protective marking on its own, as
// exports put first and last.
func isMarkingRow(rec []string) bool {
	v, ok := onlyCell(rec)
	if !ok {
		return false
	}
	_, err := domain.ParseClassification(v)
	return err == nil
}

// isPreamble reports whether rec is a marking or export provenance row.
func isPreamble(rec []string) bool {
	if isMarkingRow(rec) {
		return true
	}
	v, ok := onlyCell(rec)
	return ok && strings.HasPrefix(v, ExportPreamble)
}

// ExportPreamble begins the provenance row of an export.
const ExportPreamble = "Exported from Alliance"

// Has reports whether the file has column c.
func (r *Reader[T]) Has(c string) bool { _, ok := r.idx[c]; return ok }

// Next returns the next row that is not blank and the problems found in its
// fields (nil when it is good), or io.EOF after the last row. A row that
// cannot be read at all comes back as the zero T with one problem naming
// the row. Other errors are the file's (an unreadable workbook).
func (r *Reader[T]) Next() (T, []domain.FieldError, error) {
	var zero T
	for {
		rec, err := r.src.Next()
		var rerr *RowError
		if errors.As(err, &rerr) {
			return zero, []domain.FieldError{{Field: fmt.Sprintf("row %d", rerr.Row), Message: rerr.Msg}}, nil
		}
		if err != nil {
			return zero, nil, err
		}
		if isBlank(rec) || isMarkingRow(rec) {
			continue
		}
		r.rec, r.row, r.problems = rec, r.src.Row(), nil
		if len(rec) > len(r.idx)+20 && len(rec) > 64 {
			// A row far wider than the header is not data of this kind.
			r.fail("", "has %d cells but the header names %d columns", len(rec), len(r.idx))
		}
		v := r.parse(r)
		return v, r.problems, nil
	}
}

// Close closes the underlying file.
func (r *Reader[T]) Close() error { return r.src.Close() }

// get returns column c of the current row, trimmed.
func (r *Reader[T]) get(c string) string {
	i, ok := r.idx[c]
	if !ok || i >= len(r.rec) {
		return ""
	}
	return strings.TrimSpace(r.rec[i])
}

// fail records a problem with column c of the current row ("" for the
// whole row).
func (r *Reader[T]) fail(c, format string, args ...any) {
	field := fmt.Sprintf("row %d", r.row)
	if c != "" {
		field += ", column " + c
	}
	r.problems = append(r.problems, domain.FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

// text returns column c checked as text of at most max characters.
func (r *Reader[T]) text(c string, max int, required bool, what string) string {
	v := r.get(c)
	switch {
	case !utf8.ValidString(v):
		r.fail(c, "the %s is not valid UTF-8 text; save the file as UTF-8", what)
		return ""
	case !domain.StorableText(v):
		r.fail(c, "the %s contains a NUL character: remove it", what)
		return ""
	case v == "" && required:
		r.fail(c, "enter the %s", what)
	case utf8.RuneCountInString(v) > max:
		r.fail(c, "the %s must be %d characters or fewer", what, max)
	}
	return strings.Join(strings.Fields(v), " ")
}

// list splits column c on semicolons, dropping empty items and repeats.
func (r *Reader[T]) list(c string, maxItems, maxLen int, what string) []string {
	v := r.get(c)
	if v == "" {
		return nil
	}
	if !utf8.ValidString(v) {
		r.fail(c, "the %s are not valid UTF-8 text", what)
		return nil
	}
	if !domain.StorableText(v) {
		r.fail(c, "the %s contain a NUL character: remove it", what)
		return nil
	}
	var out []string
	for _, s := range strings.Split(v, ";") {
		s = strings.Join(strings.Fields(s), " ")
		if s == "" || contains(out, s) {
			continue
		}
		if utf8.RuneCountInString(s) > maxLen {
			r.fail(c, "each of the %s must be %d characters or fewer; separate them with semicolons", what, maxLen)
			return nil
		}
		out = append(out, s)
	}
	if len(out) > maxItems {
		r.fail(c, "enter %d %s or fewer", maxItems, what)
		return nil
	}
	return out
}

// day reads column c as a UK date (22/11/2026), an ISO date, or in a
// workbook an Excel date serial.
func (r *Reader[T]) day(c string) *time.Time {
	v := r.get(c)
	if v == "" {
		return nil
	}
	if d, ok := domain.ParseDay(v); ok {
		return &d
	}
	if r.excel {
		if f, err := strconv.ParseFloat(v, 64); err == nil && f >= 1 && f < 2958466 {
			if t, err := excelize.ExcelDateToTime(f, false); err == nil {
				d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
				return &d
			}
		}
	}
	r.fail(c, "%q is not a date: write it like 22/11/2026", clip(v))
	return nil
}

// marking reads the optional classification and handling_code columns.
func (r *Reader[T]) marking() MarkingCells {
	var m MarkingCells
	if v := r.get("classification"); v != "" {
		c, err := domain.ParseClassification(v)
		if err != nil {
			r.fail("classification", "%s", err)
		}
		m.Classification = c
	}
	switch v := strings.ToUpper(r.get("handling_code")); v {
	case "":
	case "P", "C":
		m.Handling = domain.HandlingCode(v)
	default:
		r.fail("handling_code", "%q is not a handling code: write P or C", clip(v))
	}
	return m
}

var refPattern = regexp.MustCompile(`^[A-Z0-9][A-Z0-9/_.\- ]{0,39}$`)

// ReservedReference reports whether ref has the form of a reference
// Alliance hands out itself (OCG-2026-0042, P-000123), which a file may
// refer to but never assign, so imported references never clash with
// numbered ones.
func ReservedReference(ref string) bool { return reservedRef.MatchString(ref) }

var reservedRef = regexp.MustCompile(`^(OCG-[0-9]{4}-[0-9]+|[PBLVT]-[0-9]+)$`)

// reference reads column c as a record reference (upper-cased).
func (r *Reader[T]) reference(c string, assign bool) string {
	v := strings.ToUpper(r.get(c))
	switch {
	case v == "":
	case !refPattern.MatchString(v):
		r.fail(c, "%q is not a reference: up to 40 letters, digits, spaces and - _ / .", clip(v))
		return ""
	case assign && ReservedReference(v):
		r.fail(c, "references like %s are numbered by Alliance; leave the column empty for a new one, or use your own system's reference", v)
		return ""
	}
	return v
}

func parseGroup(r *Reader[GroupRow]) GroupRow {
	g := GroupRow{Row: r.row, Reference: r.reference("reference", true)}
	g.Name = r.text("name", 200, true, "group's name")
	g.OperationName = r.text("operation_name", 200, false, "operation name")
	g.Summary = strings.TrimSpace(r.get("summary"))
	if utf8.RuneCountInString(g.Summary) > 20000 || !domain.StorableText(g.Summary) {
		r.fail("summary", "the summary must be UTF-8 text of 20,000 characters or fewer, with no NUL character")
		g.Summary = ""
	}
	g.PrimaryThreat = strings.ToLower(r.get("primary_threat"))
	if g.PrimaryThreat == "" {
		r.fail("primary_threat", "enter the main threat's code, like county_lines")
	}
	for _, t := range r.list("threats", 20, 40, "threats") {
		g.Threats = append(g.Threats, strings.ToLower(t))
	}
	if l, ok := domain.ParseOwnershipLevel(r.get("ownership_level")); ok {
		g.Ownership = l
	} else {
		r.fail("ownership_level", "%q is not an ownership level: write local, regional or national", clip(r.get("ownership_level")))
	}
	g.Status = domain.StatusProposed
	if v := strings.ToLower(strings.ReplaceAll(r.get("status"), " ", "_")); v != "" {
		switch st := domain.OCGStatus(v); st {
		case domain.StatusProposed, domain.StatusUnderAssessment:
			g.Status = st
		default:
			r.fail("status", "an imported group is proposed or under_assessment; mapping, adoption and archiving are decisions made in Alliance")
		}
	}
	if v := strings.ToUpper(r.get("home_area")); v != "" {
		if !domain.ValidONSCode(v) {
			r.fail("home_area", "%q is not an ONS code, like E05006189", clip(v))
		}
		g.HomeArea = v
	}
	g.LeadAgency = r.text("lead_agency", 200, false, "lead agency")
	g.Marking = r.marking()
	return g
}

func parsePerson(r *Reader[PersonRow]) PersonRow {
	p := PersonRow{Row: r.row, Reference: r.reference("reference", true)}
	p.Name = r.text("name", 200, true, "person's name")
	p.Aliases = r.list("aliases", 50, 200, "aliases")
	p.Nicknames = r.list("nicknames", 50, 200, "nicknames")
	if len(p.Aliases)+len(p.Nicknames) > 50 {
		r.fail("aliases", "enter 50 aliases and nicknames or fewer")
	}
	if d := r.day("dob"); d != nil {
		switch {
		case d.After(r.today):
			r.fail("dob", "the date of birth must be in the past")
		case d.Year() < 1900:
			r.fail("dob", "the date of birth must be after 1900")
		default:
			p.DOB = d
		}
	}
	switch g := strings.ToLower(r.get("gender")); g {
	case "", "female", "male", "other", "unknown":
		p.Gender = g
	case "f":
		p.Gender = "female"
	case "m":
		p.Gender = "male"
	default:
		r.fail("gender", "%q is not a gender: write female, male, other or unknown", clip(g))
	}
	for _, f := range r.list("flags", 20, 40, "flags") {
		p.Flags = append(p.Flags, strings.ReplaceAll(strings.ToLower(f), " ", "_"))
	}
	p.OCGReference = r.reference("ocg_reference", false)
	p.SourceRef = r.text("source_ref", 100, false, "source reference")
	role, conf := r.get("role"), r.get("confidence")
	if p.OCGReference != "" {
		var ok bool
		if p.Role, ok = domain.ParseMemberRole(role); !ok {
			r.fail("role", "a member's role is principal, significant or peripheral")
		}
		if p.Confidence, ok = domain.ParseConfidence(conf); !ok {
			r.fail("confidence", "write how confident the source is: high, medium or low")
		}
		if p.SourceRef == "" {
			r.fail("source_ref", "enter the intelligence reference that supports the membership")
		}
	} else if role != "" || conf != "" {
		r.fail("ocg_reference", "a role or confidence needs the group's reference in ocg_reference")
	}
	p.Marking = r.marking()
	return p
}

func parseLink(r *Reader[LinkRow]) LinkRow {
	l := LinkRow{Row: r.row, From: r.reference("from_reference", false), To: r.reference("to_reference", false)}
	if l.From == "" && r.get("from_reference") == "" {
		r.fail("from_reference", "enter the reference of the record the link is from")
	}
	if l.To == "" && r.get("to_reference") == "" {
		r.fail("to_reference", "enter the reference of the record the link is to")
	}
	if l.From != "" && l.From == l.To {
		r.fail("to_reference", "a record cannot be linked to itself")
	}
	var ok bool
	if l.Type, ok = domain.ParseLinkType(r.get("type")); !ok {
		r.fail("type", "%q is not a link type: write member_of, associate, family, lives_at, uses, owns or controls", clip(r.get("type")))
	}
	role := r.get("role")
	switch {
	case l.Type == domain.LinkMemberOf:
		if l.Role, ok = domain.ParseMemberRole(role); !ok {
			r.fail("role", "a member's role is principal, significant or peripheral")
		}
	case role != "":
		r.fail("role", "only a member_of link has a role")
	}
	l.ValidFrom, l.ValidTo = r.day("valid_from"), r.day("valid_to")
	if l.ValidFrom != nil && l.ValidTo != nil && l.ValidTo.Before(*l.ValidFrom) {
		r.fail("valid_to", "the end date must be on or after the start date")
	}
	l.SourceRef = r.text("source_ref", 100, true, "intelligence reference that supports the link")
	if l.Confidence, ok = domain.ParseConfidence(r.get("confidence")); !ok {
		r.fail("confidence", "write how confident the source is: high, medium or low")
	}
	l.Note = r.text("note", 2000, false, "note")
	return l
}
