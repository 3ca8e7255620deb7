package service_test

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"
	"time"

	"alliance/internal/domain"
	"alliance/internal/service"
	"alliance/internal/store/storetest"
)

// memberState is what a membership looks like in the store, for checking
// that a refused change stored nothing.
func memberState(t *testing.T, f *registerFixture, a domain.Actor, ocgID, linkID string) domain.Link {
	t.Helper()
	v, err := f.reg.Group(context.Background(), a, ocgID)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range v.Members {
		if m.Link.ID == linkID {
			return m.Link
		}
	}
	t.Fatalf("membership %s not on the group", linkID)
	return domain.Link{}
}

func countAlterations(t *testing.T, f *registerFixture) int {
	t.Helper()
	var n int
	if err := f.st.Reader().QueryRow(`SELECT count(*) FROM audit_event WHERE operation = 'alteration'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// lastAlteration returns the label and fields of the newest alteration.
func lastAlteration(t *testing.T, f *registerFixture) (string, string) {
	t.Helper()
	var label, fields string
	err := f.st.Reader().QueryRow(`SELECT record_label, fields FROM audit_event WHERE operation = 'alteration' ORDER BY seq DESC LIMIT 1`).Scan(&label, &fields)
	if err != nil {
		t.Fatal(err)
	}
	return label, fields
}

// TestMembershipEndAndCorrect: a membership can be ended with a date (from
// its start to today in the UK) and a reason, and corrected; a refused
// change stores nothing; an ended member stays on the group as a former
// member and no longer counts as current; each change is an audited
// alteration naming its fields; someone who may not see the group finds
// nothing, and someone who may see but not keep it is refused (DOMAIN.md
// §10 rule 7).
func TestMembershipEndAndCorrect(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			f := newRegisterFixture(t, e)
			// 23:30 UTC on 30 June is 00:30 on 1 July in London: 1 July is
			// today for the user, though still tomorrow in UTC.
			f.clk.t = time.Date(2027, 6, 30, 23, 30, 0, 0, time.UTC)
			analyst := f.actors["analyst"]
			o := f.propose(t, "OFFICIAL", false)
			liam, err := f.reg.AddMember(ctx, analyst, o.ID, service.MemberInput{Role: "principal", SourceRef: "IR-1", Confidence: "high", From: "01/03/2025",
				Person: service.PersonInput{Name: "Liam O'Neill"}})
			if err != nil {
				t.Fatal(err)
			}
			ann, err := f.reg.AddMember(ctx, analyst, o.ID, service.MemberInput{Role: "peripheral", SourceRef: "IR-2", Confidence: "low",
				Person: service.PersonInput{Name: "Ann Hale"}})
			if err != nil {
				t.Fatal(err)
			}

			before := countAlterations(t, f)
			for _, c := range []struct {
				name  string
				in    service.MemberEndInput
				field string
			}{
				{"no reason", service.MemberEndInput{On: "01/07/2027"}, "end_reason"},
				{"unknown reason", service.MemberEndInput{On: "01/07/2027", Reason: "bored"}, "end_reason"},
				{"no date", service.MemberEndInput{Reason: "left"}, "ended_on"},
				{"not a date", service.MemberEndInput{On: "31/02/2027", Reason: "left"}, "ended_on"},
				{"before the membership began", service.MemberEndInput{On: "28/02/2025", Reason: "left"}, "ended_on"},
				{"tomorrow in the UK", service.MemberEndInput{On: "02/07/2027", Reason: "left"}, "ended_on"},
				{"another reason without an explanation", service.MemberEndInput{On: "01/07/2027", Reason: "other"}, "end_note"},
			} {
				if _, err := f.reg.EndMember(ctx, analyst, o.ID, liam.Link.ID, c.in); !fieldErr(err, c.field) {
					t.Errorf("%s: got %v, want a problem with %s", c.name, err, c.field)
				}
			}
			if got := memberState(t, f, analyst, o.ID, liam.Link.ID); got.EndReason != "" || got.ValidTo != nil || got.UpdatedAt != nil {
				t.Errorf("after refused ends: got %+v, want the membership unchanged", got)
			}
			if got := countAlterations(t, f); got != before {
				t.Errorf("after refused ends: got %d alterations logged, want %d", got, before)
			}

			// Today in the UK is accepted, though it is tomorrow in UTC.
			ended, err := f.reg.EndMember(ctx, analyst, o.ID, liam.Link.ID, service.MemberEndInput{On: "01/07/2027", Reason: "imprisoned", Note: "Sentenced to 8 years"})
			if err != nil {
				t.Fatalf("end: %v", err)
			}
			if ended.Link.EndReason != domain.EndImprisoned || domain.Day(ended.Link.ValidTo) != "2027-07-01" {
				t.Errorf("got end %q on %v, want imprisoned on 2027-07-01", ended.Link.EndReason, domain.Day(ended.Link.ValidTo))
			}
			if label, fields := lastAlteration(t, f); !strings.Contains(label, "ended") || !strings.Contains(fields, "valid_to") ||
				!strings.Contains(fields, "end_reason") || !strings.Contains(fields, "end_note") || strings.Contains(fields, "role") {
				t.Errorf("got audit %q fields %q, want the end logged naming valid_to, end_reason and end_note only", label, fields)
			}
			if _, err := f.reg.EndMember(ctx, analyst, o.ID, liam.Link.ID, service.MemberEndInput{On: "01/07/2027", Reason: "left"}); !errors.Is(err, domain.ErrConflict) {
				t.Errorf("ending again: got %v, want a conflict", err)
			}

			// The ended member stays in the group's history but is not current.
			v, err := f.reg.Group(ctx, analyst, o.ID)
			if err != nil {
				t.Fatal(err)
			}
			today := domain.UKDay(f.st.Now())
			var current, former []string
			for _, m := range v.Members {
				if m.Link.Ended(today) {
					former = append(former, m.Person.Name)
				} else {
					current = append(current, m.Person.Name)
				}
			}
			if strings.Join(current, ",") != "Ann Hale" || strings.Join(former, ",") != "Liam O'Neill" {
				t.Errorf("got current %v and former %v, want Ann Hale current and Liam O'Neill former", current, former)
			}

			// Corrections through the ordinary edit path.
			before = countAlterations(t, f)
			if _, err := f.reg.EditMember(ctx, analyst, o.ID, ann.Link.ID, service.MemberEditInput{Role: "chief", SourceRef: "IR-2", Confidence: "low"}); !fieldErr(err, "role") {
				t.Errorf("bad role: got %v, want a problem with role", err)
			}
			if _, err := f.reg.EditMember(ctx, analyst, o.ID, ann.Link.ID, service.MemberEditInput{Role: "peripheral", SourceRef: "IR-2", Confidence: "low",
				From: "02/07/2027"}); !fieldErr(err, "from") {
				t.Errorf("start tomorrow: got %v, want a problem with from", err)
			}
			if got := memberState(t, f, analyst, o.ID, ann.Link.ID); got.Role != domain.RolePeripheral || got.ValidFrom != nil || countAlterations(t, f) != before {
				t.Errorf("after refused corrections: got %+v, want Ann's membership unchanged and nothing logged", got)
			}
			fixed, err := f.reg.EditMember(ctx, analyst, o.ID, ann.Link.ID, service.MemberEditInput{Role: "significant", SourceRef: "IR-2", Confidence: "high",
				From: "01/01/2026"})
			if err != nil {
				t.Fatalf("correct: %v", err)
			}
			if fixed.Link.Role != domain.RoleSignificant || fixed.Link.Confidence != domain.ConfidenceHigh || domain.Day(fixed.Link.ValidFrom) != "2026-01-01" {
				t.Errorf("got %+v, want significant, high confidence, since 1 January 2026", fixed.Link)
			}
			if got := memberState(t, f, analyst, o.ID, ann.Link.ID); got.Role != domain.RoleSignificant || got.EndReason != "" {
				t.Errorf("stored: got %+v, want the correction stored and the membership current", got)
			}
			if label, fields := lastAlteration(t, f); !strings.Contains(label, "corrected") || fields != "role valid_from confidence" {
				t.Errorf("got audit %q fields %q, want a correction naming role valid_from confidence", label, fields)
			}
			// An ended membership's end is corrected on the same path, under
			// the same rules.
			if _, err := f.reg.EditMember(ctx, analyst, o.ID, liam.Link.ID, service.MemberEditInput{Role: "principal", SourceRef: "IR-1", Confidence: "high",
				From: "01/03/2025", End: service.MemberEndInput{On: "01/07/2027"}}); !fieldErr(err, "end_reason") {
				t.Errorf("correcting the end without a reason: got %v, want a problem with end_reason", err)
			}
			if _, err := f.reg.EditMember(ctx, analyst, o.ID, liam.Link.ID, service.MemberEditInput{Role: "principal", SourceRef: "IR-1", Confidence: "high",
				From: "01/03/2025", End: service.MemberEndInput{On: "15/06/2027", Reason: "deceased"}}); err != nil {
				t.Fatalf("correct the end: %v", err)
			}
			if got := memberState(t, f, analyst, o.ID, liam.Link.ID); got.EndReason != domain.EndDeceased || domain.Day(got.ValidTo) != "2027-06-15" || got.EndNote != "" {
				t.Errorf("got end %+v, want deceased on 15 June 2027 without a note", got)
			}

			// Who may: the council LRO cannot see a restricted group (not
			// found, whatever the membership); the board viewer sees the
			// group but may not keep its members; a membership of another
			// group is not found.
			hidden := f.propose(t, "OFFICIAL", true)
			secret, err := f.reg.AddMember(ctx, analyst, hidden.ID, service.MemberInput{Role: "peripheral", SourceRef: "IR-3", Confidence: "low",
				Person: service.PersonInput{Name: "Sam Reed"}})
			if err != nil {
				t.Fatal(err)
			}
			end := service.MemberEndInput{On: "01/07/2027", Reason: "left"}
			edit := service.MemberEditInput{Role: "principal", SourceRef: "IR-3", Confidence: "high"}
			for _, c := range []struct {
				name          string
				who, ocg, mem string
				want          error
			}{
				{"a group the council LRO may not see", "lro", hidden.ID, secret.Link.ID, domain.ErrNotFound},
				{"a made-up membership", "analyst", o.ID, "01890000-0000-7000-8000-000000000000", domain.ErrNotFound},
				{"another group's membership", "analyst", o.ID, secret.Link.ID, domain.ErrNotFound},
				{"a board viewer", "board", o.ID, ann.Link.ID, domain.ErrForbidden},
			} {
				a := f.actors[c.who]
				_ = f.reg.GivePurpose(ctx, a, c.ocg, "tasking", "")
				if _, err := f.reg.EndMember(ctx, a, c.ocg, c.mem, end); !errors.Is(err, c.want) {
					t.Errorf("%s, end: got %v, want %v", c.name, err, c.want)
				}
				if _, err := f.reg.EditMember(ctx, a, c.ocg, c.mem, edit); !errors.Is(err, c.want) {
					t.Errorf("%s, correct: got %v, want %v", c.name, err, c.want)
				}
			}
			if got := memberState(t, f, analyst, hidden.ID, secret.Link.ID); got.EndReason != "" || got.Role != domain.RolePeripheral {
				t.Errorf("after refused changes: got %+v, want Sam Reed's membership unchanged", got)
			}
		})
	}
}

// TestMembershipChangeFromStaleCopyConflicts: a change worked out from a
// copy of a membership read before someone else ended it is a conflict and
// stores nothing, so a correction racing an ending can never silently
// undo the end (whose reason and date would vanish with no audit entry
// saying so); the ending stays as it was stored.
func TestMembershipChangeFromStaleCopyConflicts(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			f := newRegisterFixture(t, e)
			f.clk.t = time.Date(2027, 6, 30, 12, 0, 0, 0, time.UTC)
			analyst := f.actors["analyst"]
			o := f.propose(t, "OFFICIAL", false)
			m, err := f.reg.AddMember(ctx, analyst, o.ID, service.MemberInput{Role: "principal", SourceRef: "IR-1", Confidence: "high", From: "01/03/2025",
				Person: service.PersonInput{Name: "Liam O'Neill"}})
			if err != nil {
				t.Fatal(err)
			}
			stale := memberState(t, f, analyst, o.ID, m.Link.ID)
			if _, err := f.reg.EndMember(ctx, analyst, o.ID, m.Link.ID, service.MemberEndInput{On: "01/06/2027", Reason: "imprisoned"}); err != nil {
				t.Fatal(err)
			}
			for _, tc := range []struct {
				name   string
				change func(l *domain.Link)
			}{
				{"correction from a copy read before the end", func(l *domain.Link) { l.Role = domain.RolePeripheral }},
				{"second ending from a copy read before the first", func(l *domain.Link) {
					d := time.Date(2027, 5, 1, 0, 0, 0, 0, time.UTC)
					l.ValidTo, l.EndReason = &d, domain.EndLeft
				}},
			} {
				t.Run(tc.name, func(t *testing.T) {
					l := stale
					tc.change(&l)
					err := f.st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
						return f.st.UpdateMembership(ctx, tx, o.ID, stale.EndReason, &l)
					})
					if !errors.Is(err, domain.ErrConflict) {
						t.Errorf("got error %v, want a conflict", err)
					}
					got := memberState(t, f, analyst, o.ID, m.Link.ID)
					if got.EndReason != domain.EndImprisoned || domain.Day(got.ValidTo) != "2027-06-01" || got.Role != domain.RolePrincipal {
						t.Errorf("got end %q on %v, role %q; want the stored end (imprisoned, 2027-06-01) and role principal kept",
							got.EndReason, domain.Day(got.ValidTo), got.Role)
					}
				})
			}
		})
	}
}
