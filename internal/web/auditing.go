package web

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"alliance/internal/audit"
	"alliance/internal/domain"
	"alliance/internal/router"
	"alliance/internal/service"
)

type auditData struct {
	service.AuditResult
	Form       *Form
	Agencies   []domain.Agency
	Operations []Option
	Prev, Next string
	// ExportFields are the search's fields, for the export form.
	ExportFields url.Values
	Heading      string
}

// parseAuditQuery reads the search from the URL, with a problem for each bad
// field.
func parseAuditQuery(v url.Values, f *Form) service.AuditQuery {
	q := service.AuditQuery{UserEmail: f.Get("user"), AgencyID: f.Get("agency"), RecordID: f.Get("record"), Operation: f.Get("operation")}
	for _, d := range []struct {
		field string
		dst   *time.Time
	}{{"from", &q.From}, {"to", &q.To}} {
		if s := f.Get(d.field); s != "" {
			t, ok := domain.ParseDay(s)
			if !ok {
				f.Fail(d.field, "Enter a date, for example 22/11/2026")
				continue
			}
			*d.dst = t
		}
	}
	if p := v.Get("page"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 100000 {
			f.Fail("page", "Page must be a whole number")
		}
		q.Page = n
	}
	return q
}

func (h *Web) auditSearch(w http.ResponseWriter, r *http.Request) error {
	a := router.ActorFrom(r.Context())
	v := r.URL.Query()
	f := NewForm(v)
	q := parseAuditQuery(v, f)
	return h.auditPage(w, r, a, f, q, "Audit log")
}

func (h *Web) auditPage(w http.ResponseWriter, r *http.Request, a domain.Actor, f *Form, q service.AuditQuery, heading string) error {
	var res service.AuditResult
	var err error
	if f.OK() {
		res, err = h.audits.Search(r.Context(), a, q)
		if !f.FailAll(err) && err != nil {
			return err
		}
	}
	ags, err := h.admin.Agencies(r.Context(), a)
	if err != nil {
		return err
	}
	ops := []Option{{Value: "", Label: "Any operation"}}
	for _, op := range audit.Operations {
		ops = append(ops, Option{Value: string(op), Label: string(op)})
	}
	d := auditData{AuditResult: res, Form: f, Agencies: ags, Operations: ops, Heading: heading}
	base := url.Values{}
	for _, k := range []string{"user", "agency", "record", "operation", "from", "to"} {
		if x := f.Get(k); x != "" {
			base.Set(k, x)
		}
	}
	link := func(page int) string {
		v := url.Values{}
		for k, x := range base {
			v[k] = x
		}
		if page > 1 {
			v.Set("page", strconv.Itoa(page))
		}
		return "/audit?" + v.Encode()
	}
	if res.Page > 1 {
		d.Prev = link(res.Page - 1)
	}
	if res.HasNext {
		d.Next = link(res.Page + 1)
	}
	d.ExportFields = base
	p := h.newPage(r, heading, "/audit")
	p.Errors = f.Summary()
	p.Data = d
	status := http.StatusOK
	if !f.OK() {
		status = http.StatusUnprocessableEntity
	}
	return h.render(w, r, status, "audit", p)
}

// auditRecord is "who has seen this record".
func (h *Web) auditRecord(w http.ResponseWriter, r *http.Request) error {
	a := router.ActorFrom(r.Context())
	id := r.PathValue("id")
	v := url.Values{"record": {id}}
	if p := r.URL.Query().Get("page"); p != "" {
		v.Set("page", p)
	}
	f := NewForm(v)
	q := parseAuditQuery(v, f)
	return h.auditPage(w, r, a, f, q, "Who has seen this record")
}
