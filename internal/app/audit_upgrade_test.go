package app_test

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"strings"
	"testing"

	"alliance/internal/app"
	"alliance/internal/audit"
	"alliance/internal/domain"
	"alliance/internal/store"
	"alliance/internal/store/storetest"
)

// TestHeadsSignedOnceAtUpgrade: the migration run that adds audit head
// signatures signs the heads of chains written before it, so the log
// verifies and takes new entries after the upgrade; a head unsigned later
// (its signature removed) is not signed by any later migration run, and
// verify reports it.
func TestHeadsSignedOnceAtUpgrade(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		secret := []byte(strings.Repeat("k", 32))
		alog := audit.NewLog(st.Now, st.NewID, audit.SigningKey(secret))
		pub := audit.SigningKey(secret).Public().(ed25519.PublicKey)
		var a domain.Actor
		exec := func(qs ...string) {
			t.Helper()
			err := st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
				for _, q := range qs {
					if _, err := tx.ExecContext(ctx, q); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		appendOne := func() error {
			return st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
				_, err := alog.Append(ctx, tx, a, audit.Meta{}, audit.Entry{Operation: audit.Consultation, RecordType: "ocg", RecordIDs: []string{"r"}})
				return err
			})
		}
		err := st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
			p := domain.Partnership{Slug: "up", Name: "Upgrade"}
			if err := st.InsertPartnership(ctx, tx, &p); err != nil {
				return err
			}
			a = domain.Actor{UserID: st.NewID(), DisplayName: "Ann", PartnershipID: p.ID, AgencyID: st.NewID(), AgencyName: "NYP"}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for range 3 {
			if err := appendOne(); err != nil {
				t.Fatal(err)
			}
		}
		// A checkpoint signed with the deployment's key, as a log from
		// before head signatures may have.
		if err := st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error { _, err := alog.Checkpoint(ctx, tx); return err }); err != nil {
			t.Fatal(err)
		}
		// Back to the schema before head signatures: the heads lose them.
		states, err := st.MigrationStatus(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var version int64
		for _, m := range states {
			if strings.HasSuffix(m.Name, "_audit_head_signature.sql") {
				version = m.Version
			}
		}
		if version == 0 {
			t.Fatal("no migration adds audit head signatures")
		}
		// Heads as the migration leaves those written before it (its
		// statements; other migrations may follow it, so it is not re-run
		// through goose).
		exec(`ALTER TABLE audit_head DROP COLUMN signature`, `ALTER TABLE audit_head DROP COLUMN key_id`,
			`ALTER TABLE audit_head ADD COLUMN key_id text NOT NULL DEFAULT ''`, `ALTER TABLE audit_head ADD COLUMN signature text NOT NULL DEFAULT ''`)
		if err := appendOne(); err == nil {
			t.Errorf("append to an unsigned head before the upgrade signed it: got success, want a refusal")
		}
		// The upgrade run with another key signs nothing: its key did not
		// sign the checkpoints.
		wrong := audit.NewLog(st.Now, st.NewID, audit.SigningKey([]byte(strings.Repeat("w", 32))))
		if n, err := app.SignHeadsAfterUpgrade(ctx, st, wrong, []int64{version}); err == nil || n != 0 || !strings.Contains(err.Error(), "signed with key") {
			t.Errorf("upgrade with another key: got %d heads signed, %v; want none and a key error", n, err)
		}
		n, err := app.SignHeadsAfterUpgrade(ctx, st, alog, []int64{version})
		if err != nil || n != 1 {
			t.Fatalf("upgrade: got %d heads signed, %v; want 1", n, err)
		}
		if err := appendOne(); err != nil {
			t.Errorf("append after the upgrade: got %v, want success", err)
		}
		rep, err := audit.Verify(ctx, st.Reader(), pub)
		if err != nil || !rep.OK() || rep.Entries != 4 {
			t.Errorf("after the upgrade: got %d entries, problems %v (%v); want 4 and none", rep.Entries, rep.Problems, err)
		}

		// Later: the signature is removed. No migration run signs it again.
		exec(`UPDATE audit_head SET key_id = '', signature = ''`)
		applied, err := st.Migrate(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n, err := app.SignHeadsAfterUpgrade(ctx, st, alog, applied); err != nil || n != 0 {
			t.Errorf("a later migration run: got %d heads signed, %v; want 0", n, err)
		}
		rep, err = audit.Verify(ctx, st.Reader(), pub)
		if err != nil || !rep.OnlyKinds("unsigned") {
			t.Errorf("signature removed: got problems %v (%v), want the unsigned head reported", rep.Problems, err)
		}
		if err := appendOne(); err == nil {
			t.Errorf("append to a head whose signature was removed: got success, want a refusal")
		}
	})
}
