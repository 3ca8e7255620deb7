package importexport

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// NotCSVError says a file given as CSV is not CSV text, in words a person
// can act on.
type NotCSVError struct{ What string }

func (e *NotCSVError) Error() string {
	return "this file is not a CSV file: " + e.What + ". Save the sheet as \"CSV UTF-8 (comma delimited)\" and upload that"
}

// sniffCSV looks at the start of r, without consuming it, and returns a
// *NotCSVError when it is plainly not CSV text: an image, a PDF, a
// workbook or other zip file, text in UTF-16 (a spreadsheet's "Unicode
// text"), or bytes that are not text at all. Anything that reads as text
// is left to the CSV reader.
func sniffCSV(r *bufio.Reader) error {
	head, err := r.Peek(512)
	if err != nil && len(head) == 0 {
		return nil // empty: the header check says so
	}
	ct := http.DetectContentType(head)
	switch {
	case strings.HasPrefix(ct, "image/"):
		return &NotCSVError{What: "it looks like an image (" + strings.ToUpper(strings.TrimPrefix(ct, "image/")) + ")"}
	case ct == "application/pdf":
		return &NotCSVError{What: "it looks like a PDF document"}
	case ct == "application/zip":
		return &NotCSVError{What: "it looks like an Excel workbook or another zip file (to import a workbook, upload it as XLSX)"}
	case ct == "application/x-gzip" || ct == "application/x-rar-compressed" || ct == "application/vnd.ms-cab-compressed":
		return &NotCSVError{What: "it looks like a compressed archive"}
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}) || bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		return &NotCSVError{What: "its text is in UTF-16 (\"Unicode text\"), not UTF-8"}
	case bytes.HasPrefix(head, []byte{0xD0, 0xCF, 0x11, 0xE0}):
		return &NotCSVError{What: "it looks like an old Excel (.xls) or Word file"}
	}
	// Text holds few control characters. A stray NUL in a cell, or text in
	// a legacy encoding, is left to the rows, which name the cells they
	// cannot store.
	control := 0
	for _, c := range head {
		if c < 0x20 && c != '\t' && c != '\r' && c != '\n' {
			control++
		}
	}
	if control*20 > len(head) {
		return &NotCSVError{What: "it holds bytes that are not text"}
	}
	return nil
}

// csvProblem says what is wrong with a row the CSV reader could not read,
// and where, in words a person can act on.
func csvProblem(err error) string {
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		return "the file cannot be read as CSV"
	}
	where := fmt.Sprintf("at character %d of line %d", pe.Column, pe.Line)
	switch {
	case errors.Is(pe.Err, csv.ErrQuote):
		return `a cell in quotes is broken ` + where + `: a quote (") inside a quoted cell must be doubled (""), and the cell must end with a quote before the next comma`
	case errors.Is(pe.Err, csv.ErrBareQuote):
		return `there is a quote (") ` + where + ` in a cell that does not start with one: put the whole cell in quotes and double the quote inside it ("like ""this"""), or take the quote out`
	}
	return pe.Err.Error() + " " + where
}
