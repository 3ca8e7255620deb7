package service_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"alliance/internal/domain"
	"alliance/internal/store/storetest"
)

func TestLifecycleRules(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			f := newRegisterFixture(t, e)
			analyst := f.actors["analyst"]
			o := f.propose(t, "OFFICIAL", false)
			if o.Status != domain.StatusProposed || o.Reference == "" {
				t.Fatalf("got status %q reference %q, want proposed with a reference", o.Status, o.Reference)
			}
			step := func(in domain.TransitionInput) error {
				f.clk.Advance(24 * time.Hour)
				_, err := f.reg.Transition(ctx, analyst, o.ID, in)
				return err
			}
			// Order matters: each case starts where the last left the group.
			cases := []struct {
				name      string
				before    func()
				in        domain.TransitionInput
				wantField string // "" means the step must succeed; "conflict" a step the status does not allow
			}{
				{"no skipping from proposed to adopted", nil, domain.TransitionInput{To: domain.StatusAdopted}, "conflict"},
				{"proposed to under assessment", nil, domain.TransitionInput{To: domain.StatusUnderAssessment, Decision: "Tasking 01/11/2026"}, ""},
				{"no mapping without a score", nil, domain.TransitionInput{To: domain.StatusMapped}, "to"},
				{"mapped once scored", func() {
					cur, err := f.reg.Group(ctx, analyst, o.ID)
					if err != nil {
						t.Fatal(err)
					}
					f.setScore(t, &cur.OCG)
				}, domain.TransitionInput{To: domain.StatusMapped, DecidedOn: "05/11/2026"}, ""},
				{"no decision before the previous step", nil, domain.TransitionInput{To: domain.StatusAdopted, LROUserID: f.actors["lro"].UserID, SROUserID: f.actors["analyst2"].UserID, Decision: "OCG MM", DecidedOn: "04/11/2026"}, "decided_on"},
				{"no adoption without an LRO", nil, domain.TransitionInput{To: domain.StatusAdopted, SROUserID: f.actors["analyst2"].UserID, Decision: "OCG MM 21/11/2026"}, "lro"},
				{"no adoption without a decision", nil, domain.TransitionInput{To: domain.StatusAdopted, LROUserID: f.actors["lro"].UserID, SROUserID: f.actors["analyst2"].UserID}, "decision"},
				{"no decision date in the future", nil, domain.TransitionInput{To: domain.StatusAdopted, LROUserID: f.actors["lro"].UserID, SROUserID: f.actors["analyst2"].UserID, Decision: "OCG MM", DecidedOn: "01/01/2027"}, "decided_on"},
				{"adopted with an LRO from the council", nil, domain.TransitionInput{To: domain.StatusAdopted, LROUserID: f.actors["lro"].UserID, SROUserID: f.actors["analyst2"].UserID, Decision: "OCG Management Meeting 21/11/2026", ReviewDue: "21/02/2027"}, ""},
				{"no archive without a reason", nil, domain.TransitionInput{To: domain.StatusArchived, Rationale: "Principals convicted", Decision: "OCG MM 22/11/2026"}, "archive_reason"},
				{"no archive without a decision", nil, domain.TransitionInput{To: domain.StatusArchived, ArchiveReason: "dismantled", Rationale: "Principals convicted"}, "decision"},
				{"no archive without a rationale", nil, domain.TransitionInput{To: domain.StatusArchived, ArchiveReason: "dismantled", Decision: "OCG MM 22/11/2026"}, "rationale"},
				{"archived as dismantled", nil, domain.TransitionInput{To: domain.StatusArchived, ArchiveReason: "dismantled", Rationale: "Both principals convicted, no residual capability", Decision: "OCG Management Meeting 22/11/2026"}, ""},
				{"an archived group cannot be adopted", nil, domain.TransitionInput{To: domain.StatusAdopted, Decision: "x"}, "conflict"},
			}
			for _, c := range cases {
				if c.before != nil {
					c.before()
				}
				err := step(c.in)
				switch {
				case c.wantField == "" && err != nil:
					t.Errorf("%s: got %v, want success", c.name, err)
				case c.wantField == "conflict":
					if !errors.Is(err, domain.ErrConflict) {
						t.Errorf("%s: got %v, want a conflict with the group's status", c.name, err)
					}
				case c.wantField != "" && !fieldErr(err, c.wantField):
					t.Errorf("%s: got %v, want a problem with field %q", c.name, err, c.wantField)
				}
			}
			v, err := f.reg.Group(ctx, analyst, o.ID)
			if err != nil {
				t.Fatalf("archived group: got %v, want it readable", err)
			}
			if v.OCG.Status != domain.StatusArchived || v.OCG.ArchiveReason != domain.ArchiveDismantled || v.OCG.ArchiveBy == "" {
				t.Errorf("got status %q reason %q decision %q, want archived, dismantled, with the decision", v.OCG.Status, v.OCG.ArchiveReason, v.OCG.ArchiveBy)
			}
			if v.OCG.LROUserID != f.actors["lro"].UserID {
				t.Errorf("got LRO %q, want the council LRO kept after archiving", v.OCG.LROUserID)
			}
			var got []domain.OCGStatus
			for _, tr := range v.Transitions {
				got = append(got, tr.To)
			}
			want := []domain.OCGStatus{domain.StatusProposed, domain.StatusUnderAssessment, domain.StatusMapped, domain.StatusAdopted, domain.StatusArchived}
			if len(got) != len(want) {
				t.Fatalf("got history %v, want %v", got, want)
			}
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("got history %v, want %v", got, want)
				}
			}
			last := v.Transitions[len(v.Transitions)-1]
			if last.Decision != "OCG Management Meeting 22/11/2026" || last.ActorID != analyst.UserID {
				t.Errorf("got archive step decision %q by %q, want the meeting and the analyst", last.Decision, last.ActorID)
			}
			if v.CanPlan {
				t.Error("got CanPlan on an archived group, want the plan closed to changes")
			}
			// A step decided on a stale copy of the group writes nothing.
			stale := v.OCG
			stale.Status = domain.StatusAdopted
			err = f.st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
				return f.st.UpdateOCG(ctx, tx, &stale, domain.StatusMapped)
			})
			if !errors.Is(err, domain.ErrConflict) {
				t.Errorf("update from a stale status: got %v, want a conflict", err)
			}
			// Reopening keeps the archive in the history.
			if err := step(domain.TransitionInput{To: domain.StatusUnderAssessment, Decision: "New intelligence IR-2026-000001"}); err != nil {
				t.Fatalf("reopen: %v", err)
			}
			v, _ = f.reg.Group(ctx, analyst, o.ID)
			if v.OCG.ArchiveReason != "" || len(v.Transitions) != 6 {
				t.Errorf("got reason %q and %d steps after reopening, want no current reason and 6 steps", v.OCG.ArchiveReason, len(v.Transitions))
			}
		})
	}
}
