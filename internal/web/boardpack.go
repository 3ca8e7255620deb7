package web

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"alliance/internal/domain"
	"alliance/internal/router"
	"alliance/internal/service"
)

// boardPackData is the board pack page.
type boardPackData struct {
	Pack    service.BoardPack
	Cards   []card
	Form    *Form
	Years   []Option
	PDFHref string
}

// boardPackFY reads ?fy=, clipped; "" means the current year.
func boardPackFY(r *http.Request) string {
	fy := r.URL.Query().Get("fy")
	if len(fy) > 40 {
		fy = fy[:40]
	}
	return fy
}

// boardPackPage shows the dashboard and the OCG picture for a financial
// year as one printable page. A badly written year is a form error over
// the current year's pack.
func (h *Web) boardPackPage(w http.ResponseWriter, r *http.Request) error {
	a := router.ActorFrom(r.Context())
	fy := boardPackFY(r)
	f := NewForm(url.Values{"fy": {fy}})
	status := http.StatusOK
	bp, err := h.boardPacks.Pack(r.Context(), a, fy)
	if f.FailAll(err) {
		status = http.StatusBadRequest
		bp, err = h.boardPacks.Pack(r.Context(), a, "")
	}
	if err != nil {
		return err
	}
	cur := domain.FiscalYearOf(domain.UKDay(time.Now()))
	d := boardPackData{Pack: bp, Cards: performanceCards(bp.Performance), Form: f,
		PDFHref: "/performance/board-pack.pdf?fy=" + url.QueryEscape(bp.Performance.FY.String())}
	for y := cur; y >= cur-5; y-- {
		d.Years = append(d.Years, Option{Value: y.String(), Label: y.String(), Checked: y == bp.Performance.FY})
	}
	page := h.newPage(r, "Board pack "+bp.Performance.PeriodLabel(), "/performance")
	page.Errors = f.Summary()
	page.Data = d
	return h.render(w, r, status, "board_pack", page)
}

// boardPackPDF sends the board pack as a PDF, marked on every page. A
// badly written year is a 400 naming it; nothing is sent half-made.
func (h *Web) boardPackPDF(w http.ResponseWriter, r *http.Request) error {
	a := router.ActorFrom(r.Context())
	bp, err := h.boardPacks.Pack(r.Context(), a, boardPackFY(r))
	var verr *domain.ValidationError
	if errors.As(err, &verr) {
		return h.boardPackPage(w, r) // the page, saying what is wrong with the year
	}
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := bp.WritePDF(&buf); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, bp.FileName()))
	w.Header().Set("X-Protective-Marking", string(service.BoardPackMarking))
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.Header().Set("Cache-Control", "no-store")
	_, err = buf.WriteTo(w)
	return err
}
