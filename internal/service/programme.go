package service

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"alliance/internal/audit"
	"alliance/internal/domain"
	"alliance/internal/eligibility"
	"alliance/internal/store"
)

// Programmes serves the partnership's prevention programmes: every
// signed-in user may read them (they hold no personal data);
// administrators add and change them, each change in the audit log.
type Programmes struct {
	st   *store.Store
	log  *slog.Logger
	alog *audit.Log
}

// NewProgrammes returns the service.
func NewProgrammes(st *store.Store, log *slog.Logger, alog *audit.Log) *Programmes {
	if log == nil {
		log = slog.Default()
	}
	return &Programmes{st: st, log: log, alog: alog}
}

// ProgrammeInput is a programme as the form gives it.
type ProgrammeInput struct {
	Name, Kind, OwnerAgencyID string
	MinAge, MaxAge            string
	Rules                     string // JSON
	Active                    bool
}

// List returns a's partnership's programmes.
func (ps *Programmes) List(ctx context.Context, a domain.Actor) ([]domain.Programme, error) {
	return ps.st.Programmes(ctx, a.PartnershipID)
}

// Get returns one programme of a's partnership.
func (ps *Programmes) Get(ctx context.Context, a domain.Actor, id string) (domain.Programme, error) {
	return ps.st.Programme(ctx, a.PartnershipID, id)
}

// MayWrite reports whether a may add and change programmes.
func (ps *Programmes) MayWrite(a domain.Actor) bool { return a.Has(domain.RoleAdministrator) }

// Save checks in and stores it as a new programme (id empty) or over
// programme id, with an audit entry; a bad field, the rules among them, is
// a *domain.ValidationError naming it and nothing is stored.
func (ps *Programmes) Save(ctx context.Context, a domain.Actor, id string, in ProgrammeInput) (domain.Programme, error) {
	if !ps.MayWrite(a) {
		return domain.Programme{}, domain.ErrForbidden
	}
	p, err := ps.prepare(ctx, a, in)
	if err != nil {
		return p, err
	}
	op := audit.Collection
	err = ps.st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if id == "" {
			p.CreatedBy = a.UserID
			if err := ps.st.InsertProgramme(ctx, tx, &p); err != nil {
				return err
			}
		} else {
			p.ID, op = id, audit.Alteration
			if err := ps.st.UpdateProgramme(ctx, tx, &p); err != nil {
				return err
			}
		}
		_, err := ps.alog.Append(ctx, tx, a, audit.MetaFrom(ctx), audit.Entry{Operation: op, RecordType: "programme", RecordIDs: []string{p.ID},
			Label: p.Name})
		return err
	})
	if errors.Is(err, domain.ErrConflict) {
		verr := &domain.ValidationError{}
		verr.Add("name", "The partnership already has a programme called %s", p.Name)
		return p, verr
	}
	return p, err
}

// prepare checks in: a name, a known kind, an owner agency of the
// partnership, ages 0 to 120 with the lowest first, and rules that parse.
func (ps *Programmes) prepare(ctx context.Context, a domain.Actor, in ProgrammeInput) (domain.Programme, error) {
	verr := &domain.ValidationError{}
	p := domain.Programme{PartnershipID: a.PartnershipID, Name: strings.TrimSpace(in.Name), Kind: domain.ProgrammeKind(in.Kind),
		OwnerAgencyID: in.OwnerAgencyID, Rules: strings.TrimSpace(in.Rules), Active: in.Active}
	switch n := utf8.RuneCountInString(p.Name); {
	case n == 0:
		verr.Add("name", "Enter the programme's name")
	case n > 100:
		verr.Add("name", "The name must be 100 characters or fewer")
	case !domain.StorableText(p.Name):
		verr.Add("name", "The name %s", domain.MsgUnstorableText)
	}
	if !slices.Contains(domain.ProgrammeKinds, p.Kind) {
		verr.Add("kind", "Choose what the programme does")
	}
	agencies, err := ps.st.Agencies(ctx, a.PartnershipID)
	if err != nil {
		return p, err
	}
	if !slices.ContainsFunc(agencies, func(ag domain.Agency) bool { return ag.ID == p.OwnerAgencyID }) {
		verr.Add("owner", "Choose the agency that owns the programme")
	}
	age := func(field, v, what string) int {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < 0 || n > 120 {
			verr.Add(field, "Enter the %s as a whole number of years from 0 to 120", what)
			return -1
		}
		return n
	}
	p.MinAge, p.MaxAge = age("min_age", in.MinAge, "youngest age"), age("max_age", in.MaxAge, "oldest age")
	if p.MinAge >= 0 && p.MaxAge >= 0 && p.MinAge > p.MaxAge {
		verr.Add("max_age", "The oldest age must not be below the youngest")
	}
	if len(p.Rules) > 20000 {
		verr.Add("rules", "The rules must be 20,000 characters or fewer")
	} else if _, err := eligibility.Parse([]byte(p.Rules)); err != nil {
		verr.Add("rules", "%s", capitalise(err.Error()))
	}
	return p, verr.Err()
}
