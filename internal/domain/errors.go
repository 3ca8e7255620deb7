package domain

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Error categories. Transports map them to responses: ErrNotFound to 404,
// ErrConflict to 409, a *ValidationError to a form or problem response that
// names the fields, anything else to 500 with a request id only.
var (
	// ErrNotFound means the record does not exist or the actor may not see it.
	// The two are deliberately indistinguishable.
	ErrNotFound = errors.New("not found")
	// ErrConflict means the change clashes with existing data, such as a
	// duplicate unique code.
	ErrConflict = errors.New("conflict")
	// ErrForbidden means the actor may see the record but not do this to it.
	ErrForbidden = errors.New("forbidden")
)

// NotFoundError says which kind of record was not found. It unwraps to
// ErrNotFound.
type NotFoundError struct {
	Kind string // e.g. "partnership", "org unit"
	Key  string // the identifier that was looked up
}

func (e *NotFoundError) Error() string {
	return fmt.Sprintf("%s %q not found", e.Kind, e.Key)
}

// Unwrap returns ErrNotFound.
func (e *NotFoundError) Unwrap() error { return ErrNotFound }

// NotFound returns a *NotFoundError for kind and key.
func NotFound(kind, key string) error { return &NotFoundError{Kind: kind, Key: key} }

// FieldError is one problem with one input field. Field is the name used in
// the form or API body (or "row 12, column ward_code" for imports); Message is
// a sentence a user can act on.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// ValidationError collects the field problems found in one input. The zero
// value holds no problems; use Add and then Err to return it only when there
// is something wrong.
type ValidationError struct {
	Problems []FieldError
}

// Add records a problem with field.
func (v *ValidationError) Add(field, format string, args ...any) {
	v.Problems = append(v.Problems, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

// Has reports whether field already has a problem.
func (v *ValidationError) Has(field string) bool {
	for _, p := range v.Problems {
		if p.Field == field {
			return true
		}
	}
	return false
}

// Err returns v when it holds problems and nil otherwise.
func (v *ValidationError) Err() error {
	if v == nil || len(v.Problems) == 0 {
		return nil
	}
	return v
}

// Message returns the problem recorded for field, or "".
func (v *ValidationError) Message(field string) string {
	for _, p := range v.Problems {
		if p.Field == field {
			return p.Message
		}
	}
	return ""
}

func (v *ValidationError) Error() string {
	parts := make([]string, 0, len(v.Problems))
	for _, p := range v.Problems {
		parts = append(parts, p.Field+": "+p.Message)
	}
	sort.Strings(parts)
	return "invalid input: " + strings.Join(parts, "; ")
}
