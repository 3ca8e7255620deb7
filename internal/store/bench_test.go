package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"

	"alliance/internal/domain"
	"alliance/internal/store"
	"alliance/internal/store/storetest"
)

// BenchmarkInsertUsers measures the bulk insert path the demo, the
// generator and importers use: 1,000 users (and their roles) a transaction.
func BenchmarkInsertUsers(b *testing.B) {
	for _, e := range storetest.Engines(b) {
		b.Run(e.Name, func(b *testing.B) {
			s := storetest.Open(b, e, store.Options{})
			ctx := context.Background()
			p := domain.Partnership{Slug: "bench", Name: "Bench"}
			agencies := []domain.Agency{{Name: "A", Type: domain.AgencyPolice}}
			err := s.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
				if err := s.InsertPartnership(ctx, tx, &p); err != nil {
					return err
				}
				agencies[0].PartnershipID = p.ID
				return s.InsertAgencies(ctx, tx, agencies)
			})
			if err != nil {
				b.Fatal(err)
			}
			const per = 1000
			b.ResetTimer()
			n := 0
			for b.Loop() {
				users := make([]domain.User, per)
				for i := range users {
					n++
					users[i] = domain.User{PartnershipID: p.ID, AgencyID: agencies[0].ID, Email: fmt.Sprintf("u%d@bench.example", n),
						DisplayName: "Bench user", Active: true, Roles: []domain.Role{domain.RoleAnalyst}}
				}
				if err := s.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error { return s.InsertUsers(ctx, tx, users) }); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*per)/b.Elapsed().Seconds(), "users/s")
		})
	}
}
