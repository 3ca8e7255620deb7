package web

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strings"

	"alliance/internal/domain"
	"alliance/internal/service"
	"alliance/internal/web/view"
)

type sessionKey struct{}

func withSession(ctx context.Context, s service.Session) context.Context {
	return context.WithValue(ctx, sessionKey{}, s)
}

func sessionFrom(ctx context.Context) (service.Session, bool) {
	s, ok := ctx.Value(sessionKey{}).(service.Session)
	return s, ok
}

// maxForm bounds form bodies.
const maxForm = 1 << 20

// parseForm reads a POSTed form, bounded in size. A body over the bound
// is an error wrapping *http.MaxBytesError, which renderError answers with
// 413; one that cannot be read is a *domain.ValidationError (400).
func parseForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return fmt.Errorf("read form: %w", err)
		}
		verr := &domain.ValidationError{}
		verr.Add("form", "The form could not be read. Try again")
		return verr
	}
	return unstorableFields(r.Form)
}

// StorableQuery refuses a request whose query string holds a name or value
// that is not domain.StorableText (see unstorableFields) before it reaches
// any handler: pages answer with pageErr and the API with apiErr, both 400
// naming the parameter, so a NUL in a search box never becomes a database
// error.
func StorableQuery(pageErr, apiErr func(http.ResponseWriter, *http.Request, error), next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q, _ := url.ParseQuery(r.URL.RawQuery) // malformed pairs are each handler's to refuse
		err := unstorableFields(q)
		if err == nil {
			next.ServeHTTP(w, r)
			return
		}
		if strings.HasPrefix(r.URL.Path, "/api/") {
			apiErr(w, r, err)
			return
		}
		pageErr(w, r, err)
	})
}

// unstorableFields refuses a form (body or query string) holding a field
// name or value that is not domain.StorableText, as a
// *domain.ValidationError naming each such field, so hostile bytes never
// reach a handler, a log line or the database.
func unstorableFields(vals url.Values) error {
	verr := &domain.ValidationError{}
	for _, k := range slices.Sorted(maps.Keys(vals)) {
		if !domain.StorableText(k) || len(k) > 100 {
			if !verr.Has("form") {
				verr.Add("form", "A field name %s", domain.MsgUnstorableText)
			}
			continue
		}
		for _, v := range vals[k] {
			if !domain.StorableText(v) {
				verr.Add(k, "The field %q %s", k, domain.MsgUnstorableText)
				break
			}
		}
	}
	return verr.Err()
}

// Form is a form's values and problems, for re-rendering with the GOV.UK
// error summary and inline errors.
type Form struct {
	Values url.Values
	Errors map[string]string
	order  []string
}

// NewForm returns a form holding values.
func NewForm(values url.Values) *Form {
	if values == nil {
		values = url.Values{}
	}
	return &Form{Values: values, Errors: map[string]string{}}
}

// Get returns the trimmed value of field.
func (f *Form) Get(field string) string { return strings.TrimSpace(f.Values.Get(field)) }

// Has reports whether the multi-valued field holds v.
func (f *Form) Has(field, v string) bool {
	for _, x := range f.Values[field] {
		if x == v {
			return true
		}
	}
	return false
}

// Fail records a problem with field.
func (f *Form) Fail(field, msg string) {
	if _, ok := f.Errors[field]; !ok {
		f.order = append(f.order, field)
	}
	f.Errors[field] = msg
}

// FailAll records the problems of a validation error, if err is one, and
// reports whether it was.
func (f *Form) FailAll(err error) bool {
	var verr *domain.ValidationError
	if !errors.As(err, &verr) {
		return false
	}
	for _, p := range verr.Problems {
		f.Fail(p.Field, p.Message)
	}
	return true
}

// Move gives the problem with field from to field to, in its place in the
// summary, for when the page shows from's input under another name.
func (f *Form) Move(from, to string) {
	msg, ok := f.Errors[from]
	if !ok {
		return
	}
	delete(f.Errors, from)
	for i, x := range f.order {
		if x == from {
			f.order[i] = to
		}
	}
	f.Errors[to] = msg
}

// OK reports whether the form has no problems.
func (f *Form) OK() bool { return len(f.Errors) == 0 }

// Summary lists the problems for the error summary, linked to their fields.
func (f *Form) Summary() []view.ErrorItem {
	out := make([]view.ErrorItem, 0, len(f.order))
	for _, field := range f.order {
		out = append(out, view.ErrorItem{Message: f.Errors[field], Href: "#" + field})
	}
	return out
}

// seeOther redirects to a page of this site after a form was handled.
// Where the path is built from the request (an id in the URL), safeNext
// keeps it on this site whatever the id holds.
func seeOther(w http.ResponseWriter, r *http.Request, next string) {
	http.Redirect(w, r, safeNext(next), http.StatusSeeOther) //nolint:gosec // safeNext keeps the target on this site
}

// safeNext returns next when it is a path on this site, and "/" otherwise,
// so a sign-in link cannot send anyone to another site. Backslashes and
// control characters are refused outright (browsers read "/\\x" as
// "//x"), and the path must still be local once cleaned, as http.Redirect
// will clean it.
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.ContainsAny(next, "\\\r\n\t") {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Host != "" || u.Scheme != "" || u.User != nil {
		return "/"
	}
	clean := path.Clean(u.Path)
	if !strings.HasPrefix(clean, "/") || strings.HasPrefix(clean, "//") {
		return "/"
	}
	return next
}
