package store_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"alliance/internal/authz"
	"alliance/internal/domain"
	"alliance/internal/store"
	"alliance/internal/store/storetest"
)

// TestInsertEntitiesAndLinks: a batch gets the same references, aliases,
// flags, markings and search keys as one InsertEntity a record, and its
// links read back like InsertLink's.
func TestInsertEntitiesAndLinks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		f := newPictureFixture(t, s)
		analyst, officer := f.actors["analyst"], f.actors["officer"]
		m := domain.Marking{PartnershipID: f.pid, OriginAgencyID: f.police.ID, Classification: domain.Official, Handling: domain.HandlingP}
		restricted := m
		restricted.Restricted, restricted.NamedAgencies = true, []string{f.police.ID}
		dob := time.Date(1990, 5, 17, 0, 0, 0, 0, time.UTC)
		one := domain.Entity{Kind: domain.EntityPerson, Name: "Kieran Metcalfe", Marking: m, CreatedBy: analyst.UserID}
		list := []domain.Entity{
			{Kind: domain.EntityPerson, Name: "Jordan Pickersgill", DOB: &dob, Nicknames: []string{"Pick"}, Aliases: []string{"J. Pickersgil"},
				Flags: []string{"drugs_supply"}, Marking: m, CreatedBy: analyst.UserID},
			{Kind: domain.EntityPerson, Name: "Hidden Person", Marking: restricted, CreatedBy: analyst.UserID},
			{Kind: domain.EntityVehicle, Name: "YK19 ABC", Identifier: "YK19ABC", Marking: m, CreatedBy: analyst.UserID},
		}
		var links []domain.Link
		err := s.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
			if err := s.InsertEntity(ctx, tx, &one); err != nil {
				return err
			}
			if err := s.InsertEntities(ctx, tx, list); err != nil {
				return err
			}
			links = []domain.Link{{FromKind: domain.NodeEntity, FromID: list[0].ID, ToKind: domain.NodeEntity, ToID: list[2].ID, Type: domain.LinkUses,
				SourceRef: "INT-1", Confidence: domain.ConfidenceHigh, CreatedBy: analyst.UserID}}
			return s.InsertLinks(ctx, tx, f.pid, links)
		})
		if err != nil {
			t.Fatal(err)
		}
		refs := []string{one.Reference, list[0].Reference, list[1].Reference, list[2].Reference}
		want := []string{"P-000001", "P-000002", "P-000003", "V-000001"}
		for i := range want {
			if refs[i] != want[i] {
				t.Errorf("references: got %v, want %v", refs, want)
				break
			}
		}
		grants, err := s.RoleGrants(ctx)
		if err != nil {
			t.Fatal(err)
		}
		p := authz.New(grants)
		got, err := s.NewEntityQuery(p, analyst, authz.View).WithID(list[0].ID).One(ctx)
		if err != nil || got.Name != "Jordan Pickersgill" || len(got.Nicknames) != 1 || len(got.Aliases) != 1 || len(got.Flags) != 1 ||
			got.DOB == nil || !got.DOB.Equal(dob) {
			t.Errorf("read back: got %+v, %v", got, err)
		}
		if n, _ := s.NewEntityQuery(p, officer, authz.View).WithIDs([]string{list[0].ID, list[1].ID}).Count(ctx); n != 1 {
			t.Errorf("council officer: got %d of the batch, want 1 (not the restricted person)", n)
		}
		ls, err := s.LinksOf(ctx, p, analyst, list[2].ID)
		if err != nil || len(ls) != 1 || ls[0].ID != links[0].ID {
			t.Errorf("links: got %+v, %v; want the one link", ls, err)
		}
		var keys int
		if err := s.Reader().QueryRowContext(ctx, `SELECT count(*) FROM search_key WHERE record_id = $1`, list[0].ID).Scan(&keys); err != nil || keys == 0 {
			t.Errorf("search keys: got %d, %v; want some", keys, err)
		}
	})
}
