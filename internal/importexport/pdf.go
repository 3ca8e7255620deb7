package importexport

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"
)

// Document is a printable report in plain parts: a title, headline figures
// and tables, in sections. WritePDF lays it out; it knows nothing of what
// the figures mean.
type Document struct {
	Title    string
	Subtitle string // the period and filters, under the title
	Marking  string // printed at the top and bottom of every page
	Author   string // who produced it, for the footer and the file's properties
	Produced time.Time
	Sections []Section
}

// Section is a heading with figures, paragraphs and tables under it.
// NewPage starts it on a page of its own.
type Section struct {
	Heading string
	NewPage bool
	Figures []Figure
	Notes   []string
	Tables  []Table
}

// Figure is one headline number with what it counts.
type Figure struct{ Value, Label string }

// Table is a captioned table. Numeric marks the columns set right-aligned;
// Widths (in parts of the page width, optional) sizes the columns. Half
// tables sit two to a row when they follow each other.
type Table struct {
	Caption string
	Header  []string
	Rows    [][]string
	Numeric []bool
	Widths  []float64
	Half    bool
}

// Layout of the A4 landscape page, in millimetres.
const (
	pdfMargin  = 14.0
	pdfPageW   = 297.0
	pdfPageH   = 210.0
	pdfBodyW   = pdfPageW - 2*pdfMargin
	pdfLineH   = 6.0
	pdfGutter  = 8.0
	pdfFigureH = 20.0
)

// WritePDF writes doc as an A4 landscape PDF in Arial (Helvetica), with
// the marking centred at the top and bottom of every page, the page number
// and who produced it in the footer.
func WritePDF(w io.Writer, doc Document) error {
	if doc.Marking == "" {
		return errors.New("pdf: a document must carry a protective marking")
	}
	f := fpdf.New("L", "mm", "A4", "")
	f.SetMargins(pdfMargin, pdfMargin+8, pdfMargin)
	f.SetAutoPageBreak(true, pdfMargin+8)
	f.SetCreationDate(doc.Produced)
	f.SetModificationDate(doc.Produced)
	tr := f.UnicodeTranslatorFromDescriptor("") // cp1252, which the core fonts use
	f.SetTitle(tr(doc.Title), false)
	f.SetAuthor(tr(doc.Author), false)
	f.SetSubject(tr(doc.Marking), false)
	f.SetCreator("Alliance", false)
	f.SetLang("en-GB")
	f.AliasNbPages("{nb}")
	marking := func(y float64) {
		f.SetXY(pdfMargin, y)
		f.SetFont("Helvetica", "B", 11)
		f.SetTextColor(0, 0, 0)
		f.CellFormat(pdfBodyW, 6, tr(doc.Marking), "", 0, "C", false, 0, "")
	}
	f.SetHeaderFuncMode(func() { marking(7) }, true)
	f.SetFooterFunc(func() {
		marking(pdfPageH - 12)
		f.SetXY(pdfMargin, pdfPageH-12)
		f.SetFont("Helvetica", "", 8)
		f.SetTextColor(80, 80, 80)
		f.CellFormat(pdfBodyW/2, 6, tr(fmt.Sprintf("Produced %s by %s", doc.Produced.Format("2 January 2006 at 15:04"), doc.Author)), "", 0, "L", false, 0, "")
		f.SetX(pdfMargin + pdfBodyW/2)
		f.CellFormat(pdfBodyW/2, 6, fmt.Sprintf("Page %d of {nb}", f.PageNo()), "", 0, "R", false, 0, "")
	})
	f.AddPage()
	f.SetFont("Helvetica", "B", 20)
	f.SetTextColor(11, 12, 12)
	f.MultiCell(pdfBodyW, 9, tr(doc.Title), "", "L", false)
	if doc.Subtitle != "" {
		f.SetFont("Helvetica", "", 11)
		f.SetTextColor(80, 80, 80)
		f.MultiCell(pdfBodyW, 5.5, tr(doc.Subtitle), "", "L", false)
	}
	f.Ln(2)
	for i, s := range doc.Sections {
		if s.NewPage && i > 0 {
			f.AddPage()
		}
		writeSection(f, tr, s)
	}
	if err := f.Error(); err != nil {
		return fmt.Errorf("pdf: %w", err)
	}
	if err := f.Output(w); err != nil {
		return fmt.Errorf("pdf: write: %w", err)
	}
	return nil
}

// roomFor starts a new page unless h millimetres fit above the bottom
// margin.
func roomFor(f *fpdf.Fpdf, h float64) {
	if f.GetY()+h > pdfPageH-pdfMargin-8 {
		f.AddPage()
	}
}

func writeSection(f *fpdf.Fpdf, tr func(string) string, s Section) {
	if s.Heading != "" {
		roomFor(f, 24)
		f.Ln(2)
		f.SetFont("Helvetica", "B", 15)
		f.SetTextColor(11, 12, 12)
		f.MultiCell(pdfBodyW, 8, tr(s.Heading), "", "L", false)
		f.Ln(1)
	}
	if len(s.Figures) > 0 {
		writeFigures(f, tr, s.Figures)
	}
	for _, n := range s.Notes {
		f.SetFont("Helvetica", "", 10)
		f.SetTextColor(11, 12, 12)
		f.MultiCell(pdfBodyW, 5, tr(n), "", "L", false)
		f.Ln(1)
	}
	for i := 0; i < len(s.Tables); i++ {
		t := s.Tables[i]
		if t.Half && i+1 < len(s.Tables) && s.Tables[i+1].Half {
			half := (pdfBodyW - pdfGutter) / 2
			roomFor(f, tableHeight(s.Tables[i])+4)
			top := f.GetY()
			writeTable(f, tr, t, pdfMargin, half)
			left := f.GetY()
			f.SetY(top)
			writeTable(f, tr, s.Tables[i+1], pdfMargin+half+pdfGutter, half)
			f.SetY(max(left, f.GetY()))
			i++
			continue
		}
		writeTable(f, tr, t, pdfMargin, pdfBodyW)
	}
}

// writeFigures sets the figures in boxes, up to four to a row.
func writeFigures(f *fpdf.Fpdf, tr func(string) string, figs []Figure) {
	per := min(len(figs), 4)
	w := (pdfBodyW - float64(per-1)*3) / float64(per)
	for i, fig := range figs {
		col := i % per
		if col == 0 {
			roomFor(f, pdfFigureH+3)
			if i > 0 {
				f.SetY(f.GetY() + pdfFigureH + 3)
			}
		}
		x, y := pdfMargin+float64(col)*(w+3), f.GetY()
		f.SetFillColor(243, 242, 241)
		f.Rect(x, y, w, pdfFigureH, "F")
		f.SetXY(x+2, y+2)
		f.SetFont("Helvetica", "B", 16)
		f.SetTextColor(11, 12, 12)
		f.CellFormat(w-4, 8, tr(fig.Value), "", 0, "L", false, 0, "")
		f.SetXY(x+2, y+11)
		f.SetFont("Helvetica", "", 8.5)
		f.MultiCell(w-4, 3.8, tr(fig.Label), "", "L", false)
		f.SetY(y)
	}
	f.SetY(f.GetY() + pdfFigureH + 5)
}

func tableHeight(t Table) float64 { return 8 + float64(len(t.Rows)+1)*pdfLineH }

// writeTable draws t at x, width w, repeating the header on a new page.
func writeTable(f *fpdf.Fpdf, tr func(string) string, t Table, x, w float64) {
	cols := len(t.Header)
	if cols == 0 {
		return
	}
	widths := make([]float64, cols)
	total := 0.0
	for i := range widths {
		widths[i] = 1
		if i < len(t.Widths) && t.Widths[i] > 0 {
			widths[i] = t.Widths[i]
		}
		total += widths[i]
	}
	for i := range widths {
		widths[i] = widths[i] / total * w
	}
	align := func(i int) string {
		if i < len(t.Numeric) && t.Numeric[i] {
			return "R"
		}
		return "L"
	}
	header := func() {
		f.SetX(x)
		f.SetFont("Helvetica", "B", 9.5)
		f.SetTextColor(11, 12, 12)
		for i, hd := range t.Header {
			f.CellFormat(widths[i], pdfLineH, tr(fit(f, tr, hd, widths[i])), "B", 0, align(i), false, 0, "")
		}
		f.Ln(pdfLineH)
	}
	roomFor(f, 8+2*pdfLineH)
	f.SetX(x)
	f.SetFont("Helvetica", "B", 11)
	f.SetTextColor(11, 12, 12)
	f.CellFormat(w, 7, tr(fit(f, tr, t.Caption, w)), "", 1, "L", false, 0, "")
	header()
	for _, row := range t.Rows {
		if f.GetY()+pdfLineH > pdfPageH-pdfMargin-8 {
			f.AddPage()
			header()
		}
		f.SetX(x)
		f.SetFont("Helvetica", "", 9.5)
		for i := 0; i < cols; i++ {
			v := ""
			if i < len(row) {
				v = row[i]
			}
			f.CellFormat(widths[i], pdfLineH, tr(fit(f, tr, v, widths[i])), "B", 0, align(i), false, 0, "")
		}
		f.Ln(pdfLineH)
	}
	f.Ln(3)
}

// fit shortens s with an ellipsis until it fits in width w at the current
// font (translated, as it will be drawn).
func fit(f *fpdf.Fpdf, tr func(string) string, s string, w float64) string {
	if f.GetStringWidth(tr(s)) <= w-1.5 {
		return s
	}
	r := []rune(s)
	for len(r) > 1 && f.GetStringWidth(tr(string(r)+"...")) > w-1.5 {
		r = r[:len(r)-1]
	}
	return strings.TrimSpace(string(r)) + "..."
}
