package demo

import (
	"context"
	"encoding/json"
	"fmt"

	"alliance/internal/audit"
	"alliance/internal/domain"
	"alliance/internal/eligibility"
)

// programmes writes the partnership's three prevention programmes from the
// rules Alliance ships with (package eligibility): Operation Choice and
// Operation Divan run by North Yorkshire Police, Stepping Up by the St Giles
// Trust. No random draw.
func (b *builder) programmes(ctx context.Context) error {
	ts, err := eligibility.Templates()
	if err != nil {
		return err
	}
	owners := map[string]string{"Operation Choice": "NYP", "Operation Divan": "NYP", "Stepping Up": "StGiles"}
	admin := b.actor("admin@nyp.example")
	for _, t := range ts {
		rules, err := json.MarshalIndent(t.Rules, "", "  ")
		if err != nil {
			return fmt.Errorf("demo: programme %s: %w", t.Name, err)
		}
		p := domain.Programme{PartnershipID: b.res.Partnership.ID, Name: t.Name, Kind: domain.ProgrammeKind(t.Type),
			OwnerAgencyID: b.agency[owners[t.Name]].ID, MinAge: t.MinAge, MaxAge: t.MaxAge, Rules: string(rules), Active: true, CreatedBy: admin.UserID}
		if err := b.s.InsertProgramme(ctx, b.tx, &p); err != nil {
			return fmt.Errorf("demo: programme %s: %w", t.Name, err)
		}
		if err := b.record(ctx, admin, audit.Entry{Operation: audit.Collection, RecordType: "programme", RecordIDs: []string{p.ID}, Label: p.Name}); err != nil {
			return err
		}
	}
	return nil
}
