package service

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"alliance/internal/audit"
	"alliance/internal/authz"
	"alliance/internal/domain"
)

// MemberInput adds a person to a group: an existing person (PersonID) or a
// new one (Person).
type MemberInput struct {
	PersonID   string
	Person     PersonInput
	Role       string
	From       string // UK date the membership began, optional
	SourceRef  string // the intelligence reference that supports it
	Confidence string
}

// AddMember puts a person on a group with a role, creating the person when
// no PersonID is given. The new person takes the marking given, which
// defaults (when the classification is blank) to the group's.
func (g *Register) AddMember(ctx context.Context, a domain.Actor, ocgID string, in MemberInput) (domain.Member, error) {
	p, o, err := g.keptGroup(ctx, a, ocgID)
	if err != nil {
		return domain.Member{}, err
	}
	verr := &domain.ValidationError{}
	role, ok := domain.ParseMemberRole(in.Role)
	if !ok {
		verr.Add("role", "Choose the member's role: principal, significant or peripheral")
	}
	conf, ok := domain.ParseConfidence(in.Confidence)
	if !ok {
		verr.Add("confidence", "Choose how confident the source is: high, medium or low")
	}
	in.SourceRef = strings.TrimSpace(in.SourceRef)
	if in.SourceRef == "" {
		verr.Add("source_ref", "Enter the intelligence reference that supports the membership")
	}
	var from *time.Time
	if strings.TrimSpace(in.From) != "" {
		d, ok := domain.ParseDay(in.From)
		if !ok {
			verr.Add("from", "Enter the start date as a date, like 22/11/2026")
		}
		from = &d
	}
	isNew := in.PersonID == ""
	person, err := g.memberPerson(ctx, p, a, o, in, verr)
	if err != nil {
		return domain.Member{}, err
	}
	if err := verr.Err(); err != nil {
		return domain.Member{}, err
	}
	l := domain.Link{FromKind: domain.NodeEntity, ToKind: domain.NodeOCG, ToID: o.ID, Type: domain.LinkMemberOf, Role: role,
		ValidFrom: from, SourceRef: in.SourceRef, Confidence: conf, CreatedBy: a.UserID}
	err = g.st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if isNew {
			person.ID, person.Reference = "", ""
			if err := g.st.InsertEntity(ctx, tx, &person); err != nil {
				return err
			}
			if _, err := g.alog.Append(ctx, tx, a, audit.MetaFrom(ctx), audit.Entry{Operation: audit.Collection, RecordType: string(domain.KindEntity),
				RecordIDs: []string{person.ID}, Label: person.Reference}); err != nil {
				return err
			}
		}
		l.ID, l.FromID = "", person.ID
		if err := g.st.InsertLink(ctx, tx, a.PartnershipID, &l); err != nil {
			return err
		}
		_, err := g.alog.Append(ctx, tx, a, audit.MetaFrom(ctx), audit.Entry{Operation: audit.Combination, RecordType: string(domain.KindOCG),
			RecordIDs: []string{o.ID, person.ID}, Label: person.Reference + " " + role.Label() + " member of " + o.Reference})
		return err
	})
	return domain.Member{Link: l, Person: person}, err
}

// memberPerson is the person AddMember puts on group o: the existing
// person in.PersonID, which a must be able to see, or the new person
// in.Person, checked (into verr), who takes the group's marking when in
// gives none (named to a too, on a restricted group).
func (g *Register) memberPerson(ctx context.Context, p authz.Policy, a domain.Actor, o domain.OCG, in MemberInput, verr *domain.ValidationError) (domain.Entity, error) {
	if in.PersonID != "" {
		return g.st.NewEntityQuery(p, a, authz.View).WithID(in.PersonID).WithKind(domain.EntityPerson).One(ctx)
	}
	if !p.Allowed(a, authz.Create, domain.KindEntity) {
		return domain.Entity{}, domain.ErrForbidden
	}
	var person domain.Entity
	var err error
	if strings.TrimSpace(in.Person.Marking.Classification) == "" {
		in.Person.Marking = domain.MarkingInput{Classification: string(o.Marking.Classification), Handling: string(o.Marking.Handling),
			HandlingNote: o.HandlingNote, ConditionAgencies: o.Marking.ConditionAgencies, Restricted: o.Marking.Restricted,
			NamedAgencies: o.Marking.NamedAgencies}
		for _, t := range o.Marking.ConditionTypes {
			in.Person.Marking.ConditionTypes = append(in.Person.Marking.ConditionTypes, string(t))
		}
		person, err = g.checkEntity(ctx, a, in.Person, verr)
		person.Marking.NamedUsers = appendUnique(o.Marking.NamedUsers, a.UserID)
		if !o.Marking.Restricted {
			person.Marking.NamedUsers = nil
		}
	} else {
		person, err = g.checkEntity(ctx, a, in.Person, verr)
	}
	if err != nil {
		return domain.Entity{}, err
	}
	if person.Kind != domain.EntityPerson {
		verr.Add("kind", "Only a person can be a member of a group")
	}
	return person, nil
}
