package service

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"unicode/utf8"

	"alliance/internal/audit"
	"alliance/internal/authz"
	"alliance/internal/domain"
	"alliance/internal/match"
	"alliance/internal/store"
)

// PersonInput is a new person (or other entity) as a form, API body or
// import row gives it.
type PersonInput struct {
	Kind       string // person when empty
	Name       string
	Aliases    []string
	Nicknames  []string
	DOB        string // UK date
	Gender     string
	Identifier string
	Detail     string
	Flags      []string
	Marking    domain.MarkingInput
}

// checkEntity validates in and returns the entity it describes.
func (g *Register) checkEntity(ctx context.Context, a domain.Actor, in PersonInput, verr *domain.ValidationError) (domain.Entity, error) {
	e := domain.Entity{Kind: domain.EntityPerson, CreatedBy: a.UserID}
	if in.Kind != "" {
		k, ok := domain.ParseEntityKind(in.Kind)
		if !ok {
			verr.Add("kind", "Choose person, business, location, vehicle or phone")
		}
		e.Kind = k
	}
	checkNames(&e, in, verr)
	if strings.TrimSpace(in.DOB) != "" {
		d, ok := domain.ParseDay(in.DOB)
		switch {
		case !ok:
			verr.Add("dob", "Enter the date of birth as a date, like 14/03/1994")
		case d.After(g.today()):
			verr.Add("dob", "The date of birth must be in the past")
		case d.Year() < 1900:
			verr.Add("dob", "The date of birth must be after 1900")
		default:
			e.DOB = &d
		}
	}
	switch gdr := strings.ToLower(strings.TrimSpace(in.Gender)); gdr {
	case "", "female", "male", "other", "unknown":
		e.Gender = gdr
	default:
		verr.Add("gender", "Choose female, male, other or unknown")
	}
	e.Detail = strings.TrimSpace(in.Detail)
	if utf8.RuneCountInString(e.Detail) > 5000 {
		verr.Add("detail", "Details must be 5,000 characters or fewer")
	}
	switch e.Kind {
	case domain.EntityVehicle:
		e.Identifier = match.Compact(e.Name)
	case domain.EntityPhone:
		e.Identifier = match.Phone(e.Name)
	default:
		e.Identifier = match.Compact(in.Identifier)
	}
	if err := g.checkFlags(ctx, &e, in.Flags, verr); err != nil {
		return e, err
	}
	m, err := parseMarking(ctx, g.st, a, in.Marking, verr)
	if err != nil {
		return e, err
	}
	e.Marking = m
	if m.Handling == domain.HandlingC {
		e.HandlingNote = strings.TrimSpace(in.Marking.HandlingNote)
	}
	return e, nil
}

// checkNames sets e's name, aliases and nicknames from in, with their
// spaces collapsed and duplicates dropped, adding to verr what is wrong
// with them.
func checkNames(e *domain.Entity, in PersonInput, verr *domain.ValidationError) {
	e.Name = strings.Join(strings.Fields(in.Name), " ")
	switch n := utf8.RuneCountInString(e.Name); {
	case n == 0:
		verr.Add("name", "Enter the name")
	case n > 200:
		verr.Add("name", "Name must be 200 characters or fewer")
	}
	for _, s := range in.Aliases {
		if s = strings.Join(strings.Fields(s), " "); s != "" {
			e.Aliases = appendUnique(e.Aliases, s)
		}
	}
	for _, s := range in.Nicknames {
		if s = strings.Join(strings.Fields(s), " "); s != "" {
			e.Nicknames = appendUnique(e.Nicknames, s)
		}
	}
	if len(e.Aliases)+len(e.Nicknames) > 50 {
		verr.Add("aliases", "Enter 50 aliases and nicknames or fewer")
	}
}

// checkFlags sets e's flags, adding to verr a flag not in the reference
// data.
func (g *Register) checkFlags(ctx context.Context, e *domain.Entity, flags []string, verr *domain.ValidationError) error {
	if len(flags) == 0 {
		return nil
	}
	types, err := g.st.PersonFlagTypes(ctx)
	if err != nil {
		return err
	}
	for _, f := range flags {
		if !slices.ContainsFunc(types, func(t store.FlagType) bool { return t.Code == f }) {
			verr.Add("flags", "Choose flags from the list")
			break
		}
		e.Flags = appendUnique(e.Flags, f)
	}
	return nil
}

// AddEntity records a new person, business, location, vehicle or phone.
func (g *Register) AddEntity(ctx context.Context, a domain.Actor, in PersonInput) (domain.Entity, error) {
	p, err := g.Policy(ctx)
	if err != nil {
		return domain.Entity{}, err
	}
	if !p.Allowed(a, authz.Create, domain.KindEntity) {
		return domain.Entity{}, domain.ErrForbidden
	}
	verr := &domain.ValidationError{}
	e, err := g.checkEntity(ctx, a, in, verr)
	if err != nil {
		return domain.Entity{}, err
	}
	if err := verr.Err(); err != nil {
		return domain.Entity{}, err
	}
	err = g.st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := g.st.InsertEntity(ctx, tx, &e); err != nil {
			return err
		}
		_, err := g.alog.Append(ctx, tx, a, audit.MetaFrom(ctx), audit.Entry{Operation: audit.Collection, RecordType: string(domain.KindEntity),
			RecordIDs: []string{e.ID}, Label: e.Reference})
		return err
	})
	return e, err
}

// EntityView is everything a person (or other entity) page shows.
type EntityView struct {
	Entity  domain.Entity
	Links   []domain.Link
	CanEdit bool
}

// Entity returns the entity with id and its visible links, if a may see
// it, logging the consultation (with a purpose, as for groups).
func (g *Register) Entity(ctx context.Context, a domain.Actor, id string) (EntityView, error) {
	p, err := g.Policy(ctx)
	if err != nil {
		return EntityView{}, err
	}
	rl := readLog{st: g.st, alog: g.alog}
	isa, system, err := rl.systemRead(ctx, a)
	if err != nil {
		return EntityView{}, err
	}
	e, err := g.st.NewEntityQuery(p, a, authz.View).WithID(id).One(ctx)
	if err != nil {
		return EntityView{}, err
	}
	why, err := g.purpose(ctx, a, e.ID, e.CreatedBy, e.Reference, e.Name)
	if err != nil {
		return EntityView{}, err
	}
	links, err := g.st.LinksOf(ctx, p, a, e.ID)
	if err != nil {
		return EntityView{}, err
	}
	linked := linkedIDs(links, e.ID, nil)
	err = g.st.InGroupTx(ctx, a.PartnershipID, func(ctx context.Context, tx *sql.Tx) error {
		if err := rl.append(ctx, tx, a, audit.Entry{Operation: audit.Consultation, RecordType: string(domain.KindEntity),
			RecordIDs: []string{e.ID}, Label: e.Reference, Justification: why}, isa, system); err != nil {
			return err
		}
		return g.logLinked(ctx, tx, rl, a, linked, "linked to "+e.Reference, why, isa, system)
	})
	if err != nil {
		return EntityView{}, err
	}
	return EntityView{Entity: e, Links: links, CanEdit: p.Can(a, authz.Edit, domain.KindEntity, e.Marking) == nil}, nil
}
