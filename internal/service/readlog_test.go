package service_test

import (
	"context"
	"errors"
	"testing"

	"alliance/internal/audit"
	"alliance/internal/domain"
	"alliance/internal/service"
	"alliance/internal/store/storetest"
)

// TestConsultationFailsClosed shows that a read whose consultation cannot
// be logged returns the error and nothing it read (decision 5): the
// services here log with a key that did not sign the chain's head, so
// every append is refused (audit.ErrHead), and each read must fail with
// it, return the zero value, and leave the log as it was. The same reads
// through the services with the right key succeed, so it is the log write
// that stops them.
func TestConsultationFailsClosed(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			f := newDisruptionFixture(t, e)
			f.put(t, domain.Disruption{On: dayOf("2026-10-14")})
			analyst := f.actors["analyst"]
			auditor := analyst
			auditor.Roles = []domain.Role{domain.RoleAuditor}
			list, err := f.ds.Queue(ctx, analyst, domain.DisruptionValidated, 10)
			if err != nil || len(list) != 1 {
				t.Fatalf("queue with the right key: got %d, %v; want the disruption", len(list), err)
			}
			id := list[0].ID
			wrong := audit.NewLog(f.st.Now, f.st.NewID, audit.SigningKey([]byte("not the key that signed the log")))
			ds, reg, au := service.NewDisruptions(f.st, nil, wrong), service.NewRegister(f.st, nil, wrong), service.NewAuditing(f.st, nil, wrong)
			before, err := f.st.AuditEntries(ctx, analyst.PartnershipID)
			if err != nil {
				t.Fatal(err)
			}
			reads := []struct {
				name string
				read func() (empty bool, err error)
			}{
				{"one disruption", func() (bool, error) {
					v, err := ds.Disruption(ctx, analyst, id)
					return v.Disruption.ID == "" && v.Decisions == nil, err
				}},
				{"disruptions list", func() (bool, error) {
					l, err := ds.Queue(ctx, analyst, domain.DisruptionValidated, 10)
					return l == nil, err
				}},
				{"disruptions of a group", func() (bool, error) {
					g, err := ds.ForGroup(ctx, analyst, f.open.ID)
					return g.Latest == nil && g.Years == nil, err
				}},
				{"one group", func() (bool, error) {
					v, err := reg.Group(ctx, analyst, f.open.ID)
					return v.OCG.ID == "" && v.Members == nil, err
				}},
				{"groups list", func() (bool, error) {
					p, err := reg.Groups(ctx, analyst, service.GroupFilter{}, 1, 25)
					return p.Items == nil, err
				}},
				{"audit log", func() (bool, error) {
					r, err := au.Search(ctx, auditor, service.AuditQuery{})
					return r.Events == nil, err
				}},
			}
			for _, r := range reads {
				empty, err := r.read()
				if !errors.Is(err, audit.ErrHead) {
					t.Errorf("%s: got error %v, want the log's refusal (audit.ErrHead)", r.name, err)
				}
				if !empty {
					t.Errorf("%s: got data with the error, want nothing the log does not record", r.name)
				}
			}
			after, err := f.st.AuditEntries(ctx, analyst.PartnershipID)
			if err != nil || after != before {
				t.Errorf("log: got %d entries (%v), want %d: a refused read must leave the log as it was", after, err, before)
			}
		})
	}
}
