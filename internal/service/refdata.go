package service

import (
	"context"
	"database/sql"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"alliance/internal/audit"
	"alliance/internal/domain"
	"alliance/internal/store"
)

// RefKinds are the disruption reference tables administrators edit, with
// what the page calls them.
var RefKinds = []struct{ Kind, Label, Property string }{
	{"tactic", "Tactics", "A partner agency's own power"},
	{"outcome_type", "Outcome types", "Measure (count, seizure, drugs or sentence)"},
	{"seizure_type", "Seizure types", "A cash seizure"},
}

// RefInput is one reference item as typed.
type RefInput struct {
	Kind, Code, Name, Property, SortOrder string
	Active                                bool
}

var refCode = regexp.MustCompile(`^[a-z][a-z0-9_]{1,39}$`)

// RefItem is one reference item as the administrator's page shows it.
type RefItem = store.RefItem

// RefItems lists reference table kind for an administrator.
func (ds *Disruptions) RefItems(ctx context.Context, a domain.Actor, kind string) ([]RefItem, error) {
	if !a.Has(domain.RoleAdministrator) {
		return nil, domain.ErrForbidden
	}
	if !slices.ContainsFunc(RefKinds, func(k struct{ Kind, Label, Property string }) bool { return k.Kind == kind }) {
		return nil, domain.ErrNotFound
	}
	return ds.st.RefItems(ctx, kind)
}

// SaveRefItem adds or changes one reference item; administrators only. An
// existing item keeps its property (an outcome type's measure decides how
// its figures were recorded), so only its name, order and whether it is
// offered change.
func (ds *Disruptions) SaveRefItem(ctx context.Context, a domain.Actor, in RefInput) error {
	items, err := ds.RefItems(ctx, a, in.Kind)
	if err != nil {
		return err
	}
	verr := &domain.ValidationError{}
	x := store.RefItem{Code: strings.TrimSpace(in.Code), Name: strings.TrimSpace(in.Name), Active: in.Active}
	if !refCode.MatchString(x.Code) {
		verr.Add("code", "The code must be 2 to 40 lower-case letters, digits and underscores, starting with a letter")
	}
	if x.Name == "" || len(x.Name) > 120 {
		verr.Add("name", "Enter a name of up to 120 characters")
	}
	n, err := strconv.Atoi(strings.TrimSpace(in.SortOrder))
	if err != nil || n < 0 || n > 100000 {
		verr.Add("sort_order", "The order must be a whole number from 0 to 100,000")
	}
	x.SortOrder = n
	i := slices.IndexFunc(items, func(y store.RefItem) bool { return y.Code == x.Code })
	var prop any
	switch {
	case i >= 0:
	case in.Kind == "outcome_type":
		m := strings.TrimSpace(in.Property)
		if !slices.Contains([]string{"count", "seizure", "drugs", "sentence"}, m) {
			verr.Add("property", "Choose the measure: count, seizure, drugs or sentence")
		}
		prop = m
	default:
		prop = in.Property == "yes"
	}
	if err := verr.Err(); err != nil {
		return err
	}
	return ds.st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if i >= 0 {
			if err := ds.st.UpdateRefItem(ctx, tx, in.Kind, x); err != nil {
				return err
			}
		} else if err := ds.st.AddRefItem(ctx, tx, in.Kind, x, prop); err != nil {
			return err
		}
		_, err := ds.alog.Append(ctx, tx, a, audit.MetaFrom(ctx), audit.Entry{Operation: audit.Alteration, RecordType: in.Kind,
			Label: "Reference data " + in.Kind + " " + x.Code})
		return err
	})
}
