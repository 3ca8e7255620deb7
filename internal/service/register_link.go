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

// LinkInput links two records the actor may see.
type LinkInput struct {
	FromID, ToID string
	Type         string
	Role         string
	From, To     string // UK dates, optional
	SourceRef    string
	Confidence   string
	Note         string
}

// linkEnd is one end of a link: a visible group (with the group) or
// entity.
type linkEnd struct {
	kind domain.NodeKind
	ref  string
	ocg  domain.OCG // when kind is NodeOCG
}

// node resolves id to a visible group or entity.
func (g *Register) node(ctx context.Context, p authz.Policy, a domain.Actor, id string) (linkEnd, error) {
	if o, err := g.st.NewOCGQuery(p, a, authz.View).WithID(id).One(ctx); err == nil {
		return linkEnd{kind: domain.NodeOCG, ref: o.Reference, ocg: o}, nil
	}
	e, err := g.st.NewEntityQuery(p, a, authz.View).WithID(id).One(ctx)
	if err != nil {
		return linkEnd{}, err
	}
	return linkEnd{kind: domain.NodeEntity, ref: e.Reference}, nil
}

// Link records a typed, dated link between two records a may see. Only
// people can be members, and only of groups; a link with a group at either
// end needs someone who may keep the group's members (see AddMember).
func (g *Register) Link(ctx context.Context, a domain.Actor, in LinkInput) (domain.Link, error) {
	p, err := g.Policy(ctx)
	if err != nil {
		return domain.Link{}, err
	}
	if !p.Allowed(a, authz.Create, domain.KindEntity) {
		return domain.Link{}, domain.ErrForbidden
	}
	verr := &domain.ValidationError{}
	from, err := g.node(ctx, p, a, in.FromID)
	if err != nil {
		verr.Add("from", "Choose a record you can see")
	}
	to, err := g.node(ctx, p, a, in.ToID)
	if err != nil {
		verr.Add("to", "Choose a record you can see")
	}
	fromKind, fromRef, toKind, toRef := from.kind, from.ref, to.kind, to.ref
	if in.FromID == in.ToID {
		verr.Add("to", "A record cannot be linked to itself")
	}
	typ, ok := domain.ParseLinkType(in.Type)
	if !ok {
		verr.Add("type", "Choose the kind of link")
	}
	var role domain.MemberRole
	if typ == domain.LinkMemberOf {
		if role, ok = domain.ParseMemberRole(in.Role); !ok {
			verr.Add("role", "Choose the member's role: principal, significant or peripheral")
		}
		if fromKind != domain.NodeEntity || toKind != domain.NodeOCG {
			verr.Add("type", "Only a person can be a member, and only of a group")
		}
	}
	conf, ok := domain.ParseConfidence(in.Confidence)
	if !ok {
		verr.Add("confidence", "Choose how confident the source is: high, medium or low")
	}
	l := domain.Link{FromKind: fromKind, FromID: in.FromID, ToKind: toKind, ToID: in.ToID, Type: typ, Role: role,
		SourceRef: strings.TrimSpace(in.SourceRef), Confidence: conf, Note: strings.TrimSpace(in.Note), CreatedBy: a.UserID}
	if l.SourceRef == "" {
		verr.Add("source_ref", "Enter the intelligence reference that supports the link")
	}
	linkDates(&l, in.From, in.To, verr)
	if err := verr.Err(); err != nil {
		return domain.Link{}, err
	}
	// A link to or from a group changes the group's picture, so it follows
	// AddMember's rule: the group's analysts, LRO or SRO, and never an
	// archived group.
	for _, end := range []linkEnd{from, to} {
		if end.kind == domain.NodeOCG && !g.mayPlan(p, a, end.ocg) {
			return domain.Link{}, domain.ErrForbidden
		}
	}
	err = g.st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := g.st.InsertLink(ctx, tx, a.PartnershipID, &l); err != nil {
			return err
		}
		_, err := g.alog.Append(ctx, tx, a, audit.MetaFrom(ctx), audit.Entry{Operation: audit.Combination, RecordType: string(domain.KindEntity),
			RecordIDs: []string{l.FromID, l.ToID}, Label: fromRef + " " + typ.Label() + " " + toRef})
		return err
	})
	return l, err
}

// linkDates sets the days l is valid from and to (UK dates, each
// optional), adding to verr a date that is not one or an end before the
// start.
func linkDates(l *domain.Link, from, to string, verr *domain.ValidationError) {
	for _, d := range []struct {
		field, val string
		dst        **time.Time
	}{{"valid_from", from, &l.ValidFrom}, {"valid_to", to, &l.ValidTo}} {
		if strings.TrimSpace(d.val) == "" {
			continue
		}
		t, ok := domain.ParseDay(d.val)
		if !ok {
			verr.Add(d.field, "Enter the date as a date, like 22/11/2026")
			continue
		}
		*d.dst = &t
	}
	if l.ValidFrom != nil && l.ValidTo != nil && l.ValidTo.Before(*l.ValidFrom) {
		verr.Add("valid_to", "The end date must be on or after the start date")
	}
}
