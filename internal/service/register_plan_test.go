package service_test

import (
	"context"
	"database/sql"
	"testing"

	"alliance/internal/domain"
	"alliance/internal/service"
	"alliance/internal/store/storetest"
)

func TestMembersAndPlan(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			f := newRegisterFixture(t, e)
			analyst, lro := f.actors["analyst"], f.actors["lro"]
			o := f.propose(t, "OFFICIAL", false)
			m, err := f.reg.AddMember(ctx, analyst, o.ID, service.MemberInput{Role: "principal", SourceRef: "IR-2026-000001", Confidence: "high",
				Person: service.PersonInput{Name: "Liam O'Neill", Aliases: []string{"Liam Neil"}, Nicknames: []string{"Lee"}, DOB: "14/03/1994"}})
			if err != nil {
				t.Fatalf("add member: %v", err)
			}
			if m.Person.Marking.Classification != domain.Official {
				t.Errorf("got member classification %q, want the group's", m.Person.Marking.Classification)
			}
			bad := []struct {
				name  string
				in    service.MemberInput
				field string
			}{
				{"no role", service.MemberInput{SourceRef: "IR-1", Confidence: "high", Person: service.PersonInput{Name: "A B"}}, "role"},
				{"no source", service.MemberInput{Role: "peripheral", Confidence: "high", Person: service.PersonInput{Name: "A B"}}, "source_ref"},
				{"bad date of birth", service.MemberInput{Role: "peripheral", SourceRef: "IR-1", Confidence: "low", Person: service.PersonInput{Name: "A B", DOB: "31/02/1990"}}, "dob"},
				{"no name", service.MemberInput{Role: "peripheral", SourceRef: "IR-1", Confidence: "low"}, "name"},
			}
			for _, c := range bad {
				if _, err := f.reg.AddMember(ctx, analyst, o.ID, c.in); !fieldErr(err, c.field) {
					t.Errorf("%s: got %v, want a problem with %q", c.name, err, c.field)
				}
			}
			v, err := f.reg.Group(ctx, analyst, o.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(v.Members) != 1 || v.Members[0].Link.Role != domain.RolePrincipal || v.Members[0].Person.Name != "Liam O'Neill" {
				t.Fatalf("got members %+v, want Liam O'Neill as principal and nothing from the refused inputs", v.Members)
			}
			if got := v.Members[0].Person.Nicknames; len(got) != 1 || got[0] != "Lee" {
				t.Errorf("got nicknames %v, want [Lee]", got)
			}

			// The council LRO may not keep the plan until named LRO.
			if _, err := f.reg.SavePlan(ctx, lro, o.ID, service.PlanInput{ReviewDue: "22/02/2027"}, false); err == nil {
				t.Error("LRO of another group: got plan saved, want refused")
			}
			o.LROUserID = lro.UserID
			if err := f.st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error { return f.st.UpdateOCG(ctx, tx, &o, o.Status) }); err != nil {
				t.Fatal(err)
			}
			_ = f.reg.GivePurpose(ctx, lro, o.ID, "tasking", "")
			if _, err := f.reg.SavePlan(ctx, lro, o.ID, service.PlanInput{ReviewDue: "not a date"}, false); !fieldErr(err, "review_due") {
				t.Errorf("bad review date: got %v, want a problem with review_due", err)
			}
			plan, err := f.reg.SavePlan(ctx, lro, o.ID, service.PlanInput{Objectives: "Dismantle the line", ReviewDue: "22/02/2027"}, false)
			if err != nil {
				t.Fatalf("LRO saving the plan: %v", err)
			}
			agencies, _ := f.st.Agencies(ctx, lro.PartnershipID)
			act, err := f.reg.AddAction(ctx, lro, o.ID, service.ActionInput{Strand: "protect", Description: "Visit cuckooed addresses", OwnerAgencyID: agencies[0].ID,
				OwnerName: "Housing team", DueOn: "01/12/2026"})
			if err != nil {
				t.Fatalf("add action: %v", err)
			}
			if _, err := f.reg.AddAction(ctx, lro, o.ID, service.ActionInput{Strand: "pursue", Description: "Warrant", OwnerAgencyID: agencies[0].ID,
				OwnerName: "DS Grey", DueOn: "01/12/2026", Status: "done"}); !fieldErr(err, "outcome") {
				t.Errorf("new action done without outcome: got %v, want a problem with outcome", err)
			}
			if err := f.reg.UpdateAction(ctx, lro, o.ID, act.ID, "done", ""); !fieldErr(err, "outcome") {
				t.Errorf("done without outcome: got %v, want a problem with outcome", err)
			}
			if err := f.reg.UpdateAction(ctx, lro, o.ID, act.ID, "done", "Two closure orders"); err != nil {
				t.Fatalf("update action: %v", err)
			}
			next, err := f.reg.SavePlan(ctx, lro, o.ID, service.PlanInput{ReviewDue: "22/05/2027"}, true)
			if err != nil {
				t.Fatal(err)
			}
			if next.Version != plan.Version+1 {
				t.Errorf("got version %d, want %d", next.Version, plan.Version+1)
			}
			cur, err := f.st.CurrentPlan(ctx, o.ID)
			if err != nil {
				t.Fatal(err)
			}
			if cur.ID != next.ID || len(cur.Actions) != 0 {
				t.Errorf("got current plan %s with %d actions, want the new version without the finished action", cur.ID, len(cur.Actions))
			}
		})
	}
}
