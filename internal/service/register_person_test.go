package service_test

import (
	"context"
	"testing"

	"alliance/internal/domain"
	"alliance/internal/service"
	"alliance/internal/store/storetest"
)

func TestEntityKeepsHandlingConditions(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			f := newRegisterFixture(t, e)
			const note = "Police only: not for disclosure to the subject's school"
			p, err := f.reg.AddEntity(ctx, f.actors["analyst"], service.PersonInput{Name: "Tyler Marsh", Marking: domain.MarkingInput{
				Classification: "OFFICIAL-SENSITIVE", Handling: "C", HandlingNote: note, ConditionTypes: []string{"police"}}})
			if err != nil {
				t.Fatal(err)
			}
			v, err := f.reg.Entity(ctx, f.actors["analyst"], p.ID)
			if err != nil {
				t.Fatal(err)
			}
			if v.Entity.HandlingNote != note {
				t.Errorf("got handling conditions %q, want %q", v.Entity.HandlingNote, note)
			}
			q, err := f.reg.AddEntity(ctx, f.actors["analyst"], service.PersonInput{Name: "Open Person", Marking: domain.MarkingInput{
				Classification: "OFFICIAL", Handling: "P", HandlingNote: "stray words"}})
			if err != nil {
				t.Fatal(err)
			}
			if v, _ := f.reg.Entity(ctx, f.actors["analyst"], q.ID); v.Entity.HandlingNote != "" {
				t.Errorf("handling P: got conditions %q, want none", v.Entity.HandlingNote)
			}
		})
	}
}
