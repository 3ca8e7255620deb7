package generate_test

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"testing"

	"alliance/internal/audit"
	"alliance/internal/domain"
	"alliance/internal/generate"
	"alliance/internal/store"
	"alliance/internal/store/storetest"
)

// BenchmarkRegister times the register generator: 20,000 people (with
// their vehicles, phones, aliases and search keys) and 400 groups with
// members, in a new database on each engine.
func BenchmarkRegister(b *testing.B) {
	for _, e := range storetest.Engines(b) {
		b.Run(e.Name, func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				st := storetest.Open(b, e, store.Options{})
				pid, aid, uid := registerOwner(b, st)
				b.StartTimer()
				stats, err := generate.Register(context.Background(), st, pid, aid, uid, 20000, 400, 42)
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(stats.People)/b.Elapsed().Seconds(), "people/s")
			}
		})
	}
}

// BenchmarkRunAudit times the partnership generator with audit history:
// 2 partnerships of 400 users and 25,000 audit entries each.
func BenchmarkRunAudit(b *testing.B) {
	key := ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize))
	for _, e := range storetest.Engines(b) {
		b.Run(e.Name, func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				st := storetest.Open(b, e, store.Options{})
				b.StartTimer()
				stats, err := generate.Run(context.Background(), st, generate.Options{Partnerships: 2, UsersPer: 400, AuditPer: 25000,
					Audit: audit.NewLog(st.Now, st.NewID, key)})
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(stats.AuditEntries)/b.Elapsed().Seconds(), "entries/s")
			}
		})
	}
}

// registerOwner writes a partnership with one police agency and one user.
func registerOwner(t testing.TB, st *store.Store) (pid, aid, uid string) {
	t.Helper()
	ctx := context.Background()
	err := st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		p := domain.Partnership{Slug: "gen", Name: "Gen"}
		if err := st.InsertPartnership(ctx, tx, &p); err != nil {
			return err
		}
		ags := []domain.Agency{{PartnershipID: p.ID, Name: "Police", Type: domain.AgencyPolice}}
		if err := st.InsertAgencies(ctx, tx, ags); err != nil {
			return err
		}
		us := []domain.User{{PartnershipID: p.ID, AgencyID: ags[0].ID, Email: "a@gen.example", DisplayName: "A", Active: true}}
		if err := st.InsertUsers(ctx, tx, us); err != nil {
			return err
		}
		pid, aid, uid = p.ID, ags[0].ID, us[0].ID
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return pid, aid, uid
}
