package service_test

import (
	"context"
	"errors"
	"testing"

	"alliance/internal/domain"
	"alliance/internal/service"
	"alliance/internal/store"
	"alliance/internal/store/storetest"
)

func TestLinkRules(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			f := newRegisterFixture(t, e)
			analyst := f.actors["analyst"]
			o := f.propose(t, "OFFICIAL", false)
			person := func(name string) string {
				t.Helper()
				p, err := f.reg.AddEntity(ctx, analyst, service.PersonInput{Name: name, Marking: domain.MarkingInput{Classification: "OFFICIAL", Handling: "P"}})
				if err != nil {
					t.Fatalf("add %s: %v", name, err)
				}
				return p.ID
			}
			a, b := person("Kyle Brennan"), person("Dean Brennan")
			for _, key := range []string{"lro", "officer"} {
				for _, id := range []string{o.ID, a, b} {
					_ = f.reg.GivePurpose(ctx, f.actors[key], id, "tasking", "")
				}
			}
			cases := []struct {
				name      string
				actor     string
				in        service.LinkInput
				wantField string // a field with a problem
				wantErr   error  // or this error; neither means success
			}{
				{"family link between two people", "analyst", service.LinkInput{FromID: a, ToID: b, Type: "family", SourceRef: "IR-1", Confidence: "high", From: "01/01/2020"}, "", nil},
				{"no link to itself", "analyst", service.LinkInput{FromID: a, ToID: a, Type: "associate", SourceRef: "IR-1", Confidence: "high"}, "to", nil},
				{"no link without a source", "analyst", service.LinkInput{FromID: a, ToID: b, Type: "associate", Confidence: "high"}, "source_ref", nil},
				{"no unknown link type", "analyst", service.LinkInput{FromID: a, ToID: b, Type: "friend", SourceRef: "IR-1", Confidence: "high"}, "type", nil},
				{"no end before the start", "analyst", service.LinkInput{FromID: a, ToID: b, Type: "associate", SourceRef: "IR-1", Confidence: "low", From: "02/02/2022", To: "01/01/2021"}, "valid_to", nil},
				{"a membership needs a role", "analyst", service.LinkInput{FromID: a, ToID: o.ID, Type: "member_of", SourceRef: "IR-1", Confidence: "high"}, "role", nil},
				{"a group is not a member of a person", "analyst", service.LinkInput{FromID: o.ID, ToID: a, Type: "member_of", Role: "principal", SourceRef: "IR-1", Confidence: "high"}, "type", nil},
				{"a record one cannot see", "analyst", service.LinkInput{FromID: a, ToID: "no-such-id", Type: "associate", SourceRef: "IR-1", Confidence: "high"}, "to", nil},
				{"the group's analyst adds a member", "analyst", service.LinkInput{FromID: a, ToID: o.ID, Type: "member_of", Role: "principal", SourceRef: "IR-1", Confidence: "high"}, "", nil},
				{"an LRO of another group may not add members", "lro", service.LinkInput{FromID: b, ToID: o.ID, Type: "member_of", Role: "peripheral", SourceRef: "IR-1", Confidence: "high"}, "", domain.ErrForbidden},
				{"nor link a person to the group otherwise", "lro", service.LinkInput{FromID: o.ID, ToID: b, Type: "controls", SourceRef: "IR-1", Confidence: "high"}, "", domain.ErrForbidden},
				{"the group's analyst links the group to a person", "analyst", service.LinkInput{FromID: o.ID, ToID: b, Type: "controls", SourceRef: "IR-1", Confidence: "medium"}, "", nil},
				{"a partner officer may not link", "officer", service.LinkInput{FromID: a, ToID: b, Type: "associate", SourceRef: "IR-1", Confidence: "high"}, "", domain.ErrForbidden},
			}
			for _, c := range cases {
				_, err := f.reg.Link(ctx, f.actors[c.actor], c.in)
				switch {
				case c.wantField != "":
					if !fieldErr(err, c.wantField) {
						t.Errorf("%s: got %v, want a problem with %q", c.name, err, c.wantField)
					}
				case c.wantErr != nil:
					if !errors.Is(err, c.wantErr) {
						t.Errorf("%s: got %v, want %v", c.name, err, c.wantErr)
					}
				case err != nil:
					t.Errorf("%s: got %v, want success", c.name, err)
				}
			}
			// Opening a record logs the records its page names through links.
			reader := f.actors["analyst2"]
			_ = f.reg.GivePurpose(ctx, reader, a, "tasking", "")
			if _, err := f.reg.Entity(ctx, reader, a); err != nil {
				t.Fatal(err)
			}
			evs, err := f.st.SearchAudit(ctx, reader.PartnershipID, store.AuditFilter{ActorID: reader.UserID, RecordID: b, Operation: "consultation", Limit: 5})
			if err != nil || len(evs) == 0 {
				t.Errorf("linked person shown on a person's page: got %d consultations (%v), want one", len(evs), err)
			}
			// Archived groups take no new members.
			f.setScore(t, &o)
			for _, in := range []domain.TransitionInput{{To: domain.StatusUnderAssessment}, {To: domain.StatusMapped},
				{To: domain.StatusArchived, ArchiveReason: "not_an_ocg", Rationale: "One offender acting alone", Decision: "OCG MM 20/11/2026"}} {
				if _, err := f.reg.Transition(ctx, analyst, o.ID, in); err != nil {
					t.Fatalf("to %s: %v", in.To, err)
				}
			}
			if _, err := f.reg.Link(ctx, analyst, service.LinkInput{FromID: b, ToID: o.ID, Type: "member_of", Role: "peripheral", SourceRef: "IR-2", Confidence: "high"}); !errors.Is(err, domain.ErrForbidden) {
				t.Errorf("member of an archived group: got %v, want forbidden", err)
			}
			if _, err := f.reg.Link(ctx, analyst, service.LinkInput{FromID: b, ToID: o.ID, Type: "associate", SourceRef: "IR-2", Confidence: "high"}); !errors.Is(err, domain.ErrForbidden) {
				t.Errorf("a link to an archived group: got %v, want forbidden", err)
			}
			v, err := f.reg.Group(ctx, analyst, o.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(v.Members) != 1 || v.Members[0].Person.ID != a {
				t.Errorf("got %d members, want only the one the group's analyst added", len(v.Members))
			}
		})
	}
}
