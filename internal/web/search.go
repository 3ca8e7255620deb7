package web

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"alliance/internal/domain"
	"alliance/internal/router"
	"alliance/internal/service"
	"alliance/internal/web/view"
)

// searchKindBox is one kind checkbox on the search form.
type searchKindBox struct {
	Value, Label string
	Checked      bool
}

// searchRow is one result as the page shows it.
type searchRow struct {
	service.SearchResult
	DOBText string // dd/mm/yyyy
}

type searchData struct {
	Text, DOB  string
	Kinds      []searchKindBox
	Searched   bool
	Rows       []searchRow
	Page       service.SearchPage
	Prev, Next string
	TextError  string
	DOBError   string
	KindError  string
}

// searchURL is the address of page of a search.
func searchURL(v url.Values, page int) string {
	v = maps2(v)
	v.Del("page")
	if page > 1 {
		v.Set("page", strconv.Itoa(page))
	}
	return "/search?" + v.Encode()
}

func maps2(v url.Values) url.Values {
	out := url.Values{}
	for _, k := range []string{"q", "dob", "kind"} {
		for _, x := range v[k] {
			if strings.TrimSpace(x) != "" {
				out.Add(k, x)
			}
		}
	}
	return out
}

// searchPage is GET /search: the form, and the results when something was
// asked for. It works without JavaScript: the form is a plain GET.
func (h *Web) searchPage(w http.ResponseWriter, r *http.Request) error {
	if h.finder == nil {
		return domain.NotFound("page", "search")
	}
	a := router.ActorFrom(r.Context())
	qv := r.URL.Query()
	text, dob := strings.TrimSpace(qv.Get("q")), strings.TrimSpace(qv.Get("dob"))
	if len(text) > 400 {
		text = text[:400]
	}
	kinds := qv["kind"]
	d := searchData{Text: text, DOB: dob}
	for _, k := range service.SearchKinds {
		d.Kinds = append(d.Kinds, searchKindBox{Value: k, Label: service.SearchKindLabel(k), Checked: slices.Contains(kinds, k)})
	}
	page := 1
	if v := qv.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1000 {
			return domain.NotFound("page", v)
		}
		page = n
	}
	p := h.newPage(r, "Search the register", "/search")
	status := http.StatusOK
	if text != "" || dob != "" || len(kinds) > 0 {
		d.Searched = true
		res, err := h.finder.Search(r.Context(), a, service.SearchInput{Text: text, DOB: dob, Kinds: kinds}, page)
		var verr *domain.ValidationError
		switch {
		case errors.As(err, &verr):
			status = http.StatusBadRequest
			d.Searched = false
			d.TextError, d.DOBError, d.KindError = verr.Message("q"), verr.Message("dob"), verr.Message("kind")
			for _, f := range []struct{ msg, href string }{{d.TextError, "#q"}, {d.DOBError, "#dob"}, {d.KindError, "#kind"}} {
				if f.msg != "" {
					p.Errors = append(p.Errors, view.ErrorItem{Message: f.msg, Href: f.href})
				}
			}
		case err != nil:
			return err
		default:
			d.Page = res
			for _, it := range res.Items {
				row := searchRow{SearchResult: it}
				if it.DOB != nil {
					row.DOBText = it.DOB.Format("02/01/2006")
				}
				d.Rows = append(d.Rows, row)
			}
			if res.Page > 1 {
				d.Prev = searchURL(qv, res.Page-1)
			}
			if res.Page < res.Pages {
				d.Next = searchURL(qv, res.Page+1)
			}
		}
	}
	p.Data = d
	return h.render(w, r, status, "search", p)
}
