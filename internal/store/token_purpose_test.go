package store_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"alliance/internal/domain"
	"alliance/internal/store"
	"alliance/internal/store/storetest"
)

// TestTokenPurposeMigration: tokens made before tokens carried a purpose
// keep none when they are a person's (their reads of records then need the
// X-Alliance-Purpose header), and a partner system's token takes the
// purposes of the sharing agreement its reads rely on, on one line and
// within the 500 characters a purpose may have.
func TestTokenPurposeMigration(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		p := seedPartnership(t, s)
		ags := []domain.Agency{{PartnershipID: p.ID, Name: "Test Police", ShortName: "TP", Type: domain.AgencyPolice},
			{PartnershipID: p.ID, Name: "Test Council", ShortName: "TC", Type: domain.AgencyLocalAuthority}}
		users := []domain.User{{PartnershipID: p.ID, Email: "a@example.test", DisplayName: "A", Active: true}}
		isa := domain.ISA{PartnershipID: p.ID, Reference: "ISA-7", Title: "Case sync", Purposes: "Safeguarding referrals\r\nand case reviews\t" + strings.Repeat(" of people", 60), DataCategories: "Names",
			Gateways: "s.115", Regime: "dpa_part3", Status: "active", StartsOn: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
			ReviewOn: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}
		err := s.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
			if err := s.InsertAgencies(ctx, tx, ags); err != nil {
				return err
			}
			users[0].AgencyID = ags[0].ID
			if err := s.InsertUsers(ctx, tx, users); err != nil {
				return err
			}
			isa.Parties = []string{ags[0].ID, ags[1].ID}
			return s.InsertISA(ctx, tx, &isa)
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.MigrateDownTo(ctx, "token_purpose"); err != nil {
			t.Fatal(err)
		}
		now := s.Now()
		person, system := s.NewID(), s.NewID()
		err = s.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
			for _, tok := range []struct {
				id  string
				isa any
			}{{person, nil}, {system, isa.ID}} {
				if _, err := tx.ExecContext(ctx, `INSERT INTO api_token (id, partnership_id, user_id, name, token_hash, prefix, scopes, created_by, created_at, expires_at, isa_id)
					VALUES ($1, $2, $3, 'old', $4, 'alliance_x', 'read', $3, $5, $6, $7)`, tok.id, p.ID, users[0].ID, "hash-"+tok.id, now, now.Add(time.Hour), tok.isa); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		tokens, err := s.APITokens(ctx, p.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, tok := range tokens {
			got[tok.ID] = tok.Purpose
		}
		for _, tc := range []struct{ name, id, want string }{
			{"a person's token", person, ""},
			// On one line, and no longer than any purpose may be.
			{"a partner system's token", system, strings.TrimSpace(("Under ISA-7: Safeguarding referrals  and case reviews " + strings.Repeat(" of people", 60))[:500])},
		} {
			if got[tc.id] != tc.want {
				t.Errorf("%s: got purpose %q, want %q", tc.name, got[tc.id], tc.want)
			}
		}
	})
}
