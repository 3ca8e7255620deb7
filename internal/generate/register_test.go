package generate_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"fmt"
	"testing"

	"alliance/internal/domain"
	"alliance/internal/generate"
	"alliance/internal/store"
	"alliance/internal/store/storetest"
)

// registerDigest generates a small register into a new database on e and
// returns the counts and a digest of every person's row and keys.
func registerDigest(t *testing.T, e storetest.Engine, seed uint64) (generate.RegisterStats, string) {
	t.Helper()
	ctx := context.Background()
	st := storetest.Open(t, e, store.Options{})
	var pid, aid, uid string
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
	stats, err := generate.Register(ctx, st, pid, aid, uid, 600, 20, seed)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	rows, err := st.Reader().QueryContext(ctx, `SELECT e.id, e.reference, e.name, COALESCE(e.dob, ''), k.key FROM entity e
		JOIN search_key k ON k.record_id = e.id ORDER BY e.id, k.key`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, ref, name, dob, key string
		if err := rows.Scan(&id, &ref, &name, &dob, &key); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintln(h, id, ref, name, dob, key)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return stats, fmt.Sprintf("%x", h.Sum(nil))
}

// TestRegisterIsDeterministic checks the register generator writes what
// it says, the same for the same seed and otherwise for another.
func TestRegisterIsDeterministic(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			s1, d1 := registerDigest(t, e, 1)
			_, d2 := registerDigest(t, e, 1)
			_, d3 := registerDigest(t, e, 2)
			if s1.People != 600 || s1.Vehicles != 12 || s1.Phones != 12 || s1.Groups != 20 || s1.SearchKeys == 0 || s1.Links < 20*3 {
				t.Errorf("got %+v, want 600 people, 12 vehicles, 12 phones, 20 groups with members, and keys", s1)
			}
			if d1 != d2 {
				t.Errorf("same seed: got digests %s and %s, want the same", d1, d2)
			}
			if d1 == d3 {
				t.Error("another seed: got the same data")
			}
		})
	}
}
