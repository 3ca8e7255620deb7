package service

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"alliance/internal/audit"
	"alliance/internal/authz"
	"alliance/internal/domain"
)

// Memberships are time-bounded (DOMAIN.md §10 rule 7): a member can be
// ended, with the day and a reason from a list, and corrected through the
// ordinary edit path. An ended membership is never deleted: it stays on
// the group's and the person's pages as a former member and counts
// nowhere as current.

// MemberEditInput corrects a membership. The end fields are read only for
// a membership that has ended, whose end may be corrected too.
type MemberEditInput struct {
	Role       string
	From       string // UK date the membership began, optional
	SourceRef  string // the intelligence reference that supports it
	Confidence string
	Note       string
	End        MemberEndInput
}

// MemberEndInput ends a membership.
type MemberEndInput struct {
	On     string // UK date the membership ended
	Reason string // a domain.MemberEndReason code
	Note   string // required when Reason is "other"
}

// member finds membership linkID among the members of o that a may see.
func (g *Register) member(ctx context.Context, p authz.Policy, a domain.Actor, o domain.OCG, linkID string) (domain.Member, error) {
	members, err := g.st.Members(ctx, p, a, o.ID)
	if err != nil {
		return domain.Member{}, err
	}
	i := slices.IndexFunc(members, func(m domain.Member) bool { return m.Link.ID == linkID })
	if i < 0 {
		return domain.Member{}, domain.NotFound("membership", linkID)
	}
	return members[i], nil
}

// EditMember corrects a membership's role, start date, supporting
// reference, confidence and note and, for an ended membership, its end.
// Nothing is stored when any field is wrong. The alteration is audited
// with the fields that changed.
func (g *Register) EditMember(ctx context.Context, a domain.Actor, ocgID, linkID string, in MemberEditInput) (domain.Member, error) {
	p, o, err := g.keptGroup(ctx, a, ocgID)
	if err != nil {
		return domain.Member{}, err
	}
	m, err := g.member(ctx, p, a, o, linkID)
	if err != nil {
		return domain.Member{}, err
	}
	old := m.Link
	l := old
	today := g.today()
	verr := &domain.ValidationError{}
	role, ok := domain.ParseMemberRole(in.Role)
	if !ok {
		verr.Add("role", "Choose the member's role: principal, significant or peripheral")
	}
	l.Role = role
	if l.Confidence, ok = domain.ParseConfidence(in.Confidence); !ok {
		verr.Add("confidence", "Choose how confident the source is: high, medium or low")
	}
	if l.SourceRef = strings.TrimSpace(in.SourceRef); l.SourceRef == "" {
		verr.Add("source_ref", "Enter the intelligence reference that supports the membership")
	} else if utf8.RuneCountInString(l.SourceRef) > 100 {
		verr.Add("source_ref", "The intelligence reference must be 100 characters or fewer")
	}
	if l.Note = strings.TrimSpace(in.Note); utf8.RuneCountInString(l.Note) > 2000 {
		verr.Add("note", "The note must be 2,000 characters or fewer")
	}
	l.ValidFrom = nil
	if strings.TrimSpace(in.From) != "" {
		d, ok := domain.ParseDay(in.From)
		switch {
		case !ok:
			verr.Add("from", "Enter the start date as a date, like 22/11/2026")
		case d.After(today):
			verr.Add("from", "The start date must be today or in the past")
		default:
			l.ValidFrom = &d
		}
	}
	if old.EndReason != "" {
		checkEnd(in.End, today, &l, verr)
	} else if l.ValidFrom != nil && l.ValidTo != nil && l.ValidTo.Before(*l.ValidFrom) {
		verr.Add("from", "The start date must be on or before the end date, %s", domain.FormatUK(*l.ValidTo))
	}
	if err := verr.Err(); err != nil {
		return domain.Member{}, err
	}
	fields := changedMemberFields(old, l)
	if len(fields) == 0 {
		return m, nil
	}
	return g.storeMember(ctx, a, o, m, l, "corrected", fields)
}

// storeMember writes l, the changed membership m of o, and its audited
// alteration (named by what, with the fields that changed) in one
// transaction, and returns m as stored. A change worked out from a copy
// of m that someone else has ended meanwhile is domain.ErrConflict.
func (g *Register) storeMember(ctx context.Context, a domain.Actor, o domain.OCG, m domain.Member, l domain.Link, what string, fields []string) (domain.Member, error) {
	err := g.st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := g.st.UpdateMembership(ctx, tx, o.ID, m.Link.EndReason, &l); err != nil {
			return err
		}
		_, err := g.alog.Append(ctx, tx, a, audit.MetaFrom(ctx), audit.Entry{Operation: audit.Alteration, RecordType: string(domain.KindOCG),
			RecordIDs: []string{o.ID, m.Person.ID}, Label: m.Person.Reference + " membership of " + o.Reference + " " + what, Fields: fields})
		return err
	})
	if err != nil {
		return domain.Member{}, err
	}
	m.Link = l
	return m, nil
}

// EndMember ends a current membership on a day from its start to today (in
// the UK) for a reason from the list, with a note that "other" needs.
// Nothing is stored when any field is wrong; ending a membership that has
// already ended is a conflict (correct it instead). The alteration is
// audited with the fields that changed.
func (g *Register) EndMember(ctx context.Context, a domain.Actor, ocgID, linkID string, in MemberEndInput) (domain.Member, error) {
	p, o, err := g.keptGroup(ctx, a, ocgID)
	if err != nil {
		return domain.Member{}, err
	}
	m, err := g.member(ctx, p, a, o, linkID)
	if err != nil {
		return domain.Member{}, err
	}
	if m.Link.EndReason != "" {
		return domain.Member{}, fmt.Errorf("%s's membership of %s has already ended; correct it instead: %w", m.Person.Reference, o.Reference, domain.ErrConflict)
	}
	l := m.Link
	verr := &domain.ValidationError{}
	checkEnd(in, g.today(), &l, verr)
	if err := verr.Err(); err != nil {
		return domain.Member{}, err
	}
	return g.storeMember(ctx, a, o, m, l, "ended", changedMemberFields(m.Link, l))
}

// checkEnd validates the end of a membership into l: a day on or after
// its start and not after today, a reason from the list, and a note when
// the reason is "other".
func checkEnd(in MemberEndInput, today time.Time, l *domain.Link, verr *domain.ValidationError) {
	on, ok := domain.ParseDay(in.On)
	switch {
	case strings.TrimSpace(in.On) == "":
		verr.Add("ended_on", "Enter the date the membership ended, like 22/11/2026")
	case !ok:
		verr.Add("ended_on", "Enter the date the membership ended as a date, like 22/11/2026")
	case on.After(today):
		verr.Add("ended_on", "The date the membership ended must be today or in the past")
	case l.ValidFrom != nil && on.Before(*l.ValidFrom):
		verr.Add("ended_on", "The date the membership ended must be on or after the day it began, %s", domain.FormatUK(*l.ValidFrom))
	default:
		l.ValidTo = &on
	}
	reason, ok := domain.ParseMemberEndReason(in.Reason)
	if !ok {
		verr.Add("end_reason", "Choose why the membership ended")
	}
	l.EndReason = reason
	l.EndNote = strings.TrimSpace(in.Note)
	switch n := utf8.RuneCountInString(l.EndNote); {
	case reason == domain.EndOther && n == 0:
		verr.Add("end_note", "Explain why the membership ended")
	case n > 2000:
		verr.Add("end_note", "The explanation must be 2,000 characters or fewer")
	}
}

// changedMemberFields names the fields of a membership that differ
// between old and l, for the audit log (names, never values).
func changedMemberFields(old, l domain.Link) []string {
	var fields []string
	add := func(name string, changed bool) {
		if changed {
			fields = append(fields, name)
		}
	}
	add("role", old.Role != l.Role)
	add("valid_from", domain.Day(old.ValidFrom) != domain.Day(l.ValidFrom))
	add("valid_to", domain.Day(old.ValidTo) != domain.Day(l.ValidTo))
	add("source_ref", old.SourceRef != l.SourceRef)
	add("confidence", old.Confidence != l.Confidence)
	add("note", old.Note != l.Note)
	add("end_reason", old.EndReason != l.EndReason)
	add("end_note", old.EndNote != l.EndNote)
	return fields
}
