// Package view renders Alliance's server-side HTML: templates embedded in
// the binary, parsed once at start-up into one set per page, sharing one
// layout with the protective-marking banner, the GOV.UK header, service
// navigation and footer.
package view

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"path"
	"strings"
	"time"

	"alliance/internal/domain"
)

// Marking is the protective marking every page carries.
const Marking = "OFFICIAL-SENSITIVE"

// NavItem is one entry of the service navigation.
type NavItem struct {
	Label, Href string
	Current     bool
}

// Crumb is one breadcrumb.
type Crumb struct{ Label, Href string }

// ErrorItem is one entry of the GOV.UK error summary; Href points at the
// field ("#name") when there is one.
type ErrorItem struct{ Message, Href string }

// Page is what every template receives.
type Page struct {
	Title       string
	Nonce       string // CSP nonce for the one inline script
	RequestID   string
	Marking     string
	Partnership *domain.Partnership
	Nav         []NavItem
	Breadcrumbs []Crumb
	Errors      []ErrorItem
	Data        any
	// Actor is the signed-in user, for the header; nil when signed out.
	Actor *domain.Actor
	// Refresh, when above zero, asks the browser to reload the page after
	// that many seconds (a job's status page while the job runs); it needs
	// no script.
	Refresh int
}

// Engine holds the parsed page templates. It is safe for concurrent use.
type Engine struct {
	pages map[string]*template.Template
}

// Funcs returns the template functions, with asset resolving a static path
// to its fingerprinted URL, plus extra.
func Funcs(asset func(string) string, extra template.FuncMap) template.FuncMap {
	m := template.FuncMap{
		"asset":    asset,
		"date":     FormatDate,
		"datetime": FormatDateTime,
		"number":   FormatNumber,
		"count":    Count,
		"lower":    strings.ToLower,
		"join":     strings.Join,
	}
	for k, v := range extra {
		m[k] = v
	}
	return m
}

// New parses layout.html, components/*.html and one set per file in pages/.
func New(fsys fs.FS, asset func(string) string, extra template.FuncMap) (*Engine, error) {
	base := template.New("layout").Funcs(Funcs(asset, extra)).Option("missingkey=error")
	base, err := base.ParseFS(fsys, "layout.html", "components/*.html")
	if err != nil {
		return nil, fmt.Errorf("view: parse layout: %w", err)
	}
	files, err := fs.Glob(fsys, "pages/*.html")
	if err != nil {
		return nil, fmt.Errorf("view: list pages: %w", err)
	}
	e := &Engine{pages: map[string]*template.Template{}}
	for _, f := range files {
		t, err := base.Clone()
		if err != nil {
			return nil, fmt.Errorf("view: clone layout: %w", err)
		}
		if _, err := t.ParseFS(fsys, f); err != nil {
			return nil, fmt.Errorf("view: parse %s: %w", f, err)
		}
		e.pages[strings.TrimSuffix(path.Base(f), ".html")] = t
	}
	return e, nil
}

// Render writes page with p to w. It renders into a buffer first, so a
// template error never sends half a page.
func (e *Engine) Render(w io.Writer, page string, p *Page) error {
	t, ok := e.pages[page]
	if !ok {
		return fmt.Errorf("view: no page %q", page)
	}
	if p.Marking == "" {
		p.Marking = Marking
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", p); err != nil {
		return fmt.Errorf("view: render %s: %w", page, err)
	}
	_, err := buf.WriteTo(w)
	return err
}

// FormatDate writes t as a UK date, "2 January 2006", in UK time.
func FormatDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(domain.UK()).Format("2 January 2006")
}

// FormatDateTime writes t as "2 January 2006 at 3:04pm" in UK time.
func FormatDateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(domain.UK()).Format("2 January 2006 at 3:04pm")
}

// Count writes n with its noun: "1 row", "1,204 rows".
func Count(n int, one, many string) string { return domain.Count(n, one, many) }

// FormatNumber writes n with thousands separators: 12345 → "12,345".
func FormatNumber(n any) string {
	var v int64
	switch x := n.(type) {
	case int:
		v = int64(x)
	case int64:
		v = x
	case int32:
		v = int64(x)
	default:
		return fmt.Sprint(n)
	}
	return domain.FormatCount(v)
}
