package cli

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"alliance/internal/app"
	"alliance/internal/audit"
	"alliance/internal/config"
	"alliance/internal/store"
)

func auditCmd(env Env) *cobra.Command {
	var seal bool
	cmd := &cobra.Command{Use: "audit", Short: "Check the audit log"}
	verify := lookCommand(env, "verify", "Walk every audit chain and report the first entry that was changed, removed, inserted or cut off the end", cobra.NoArgs,
		func(cmd *cobra.Command) {
			cmd.Flags().BoolVar(&seal, "checkpoint", false, "after a clean check, sign each chain's current head and add a checkpoint there "+
				"(also signs the heads of a log written before heads were signed)")
		},
		func(cmd *cobra.Command, c *config.Config, st *store.Store, _ []string) error {
			ctx := cmd.Context()
			if pending, err := st.HasPendingMigrations(ctx); err != nil {
				return err
			} else if pending {
				return errors.New("the database schema is behind this version of Alliance: run 'alliance migrate up --db …' first")
			}
			// Never make a key here: a new key would only make the log look
			// tampered with.
			key, src, err := app.LoadSecretKey(*c, st)
			if err != nil {
				return err
			}
			priv := audit.SigningKey(key)
			fmt.Fprintf(env.Stdout, "Secret key: %s (key id %s).\n", src, audit.KeyID(priv.Public().(ed25519.PublicKey)))
			rep, err := audit.Verify(ctx, st.Reader(), priv.Public().(ed25519.PublicKey))
			if err != nil {
				return err
			}
			rate := float64(rep.Entries) / max(rep.Elapsed.Seconds(), 1e-9)
			fmt.Fprintf(env.Stdout, "Checked %d entries in %d chains and %d signed checkpoints in %s (%.0f entries a second).\n",
				rep.Entries, rep.Chains, rep.Checkpoints, rep.Elapsed.Round(1e6), rate)
			for _, h := range rep.Heads {
				fmt.Fprintf(env.Stdout, "Chain of partnership %s ends at entry %d, hash %s.\n", h.PartnershipID, h.Seq, h.Hash)
			}
			for _, p := range rep.Problems {
				fmt.Fprintln(env.Stdout, "PROBLEM:", p)
			}
			switch {
			case rep.OK():
				fmt.Fprintln(env.Stdout, "The audit log is intact.")
			case rep.OnlyKinds("key"):
				return fmt.Errorf("key mismatch: the audit log was signed with a different key from the one in %s; "+
					"this by itself is not evidence of tampering: check the log with the key it was written with", src)
			case rep.OnlyKinds("unsigned") && seal:
				fmt.Fprintln(env.Stdout, "Apart from heads not yet signed (a log written before heads were signed), the audit log is intact.")
			case rep.OnlyKinds("unsigned"):
				return errors.New("the chains' heads are not signed (a log written before heads were signed, or their signatures were removed); " +
					"if nobody could have cut entries off since the last check, sign them with: alliance audit verify --checkpoint")
			default:
				return errors.New("the audit log has been tampered with: see the problems above, the first is where it starts")
			}
			if seal {
				l := audit.NewLog(st.Now, st.NewID, priv)
				var n int
				err := st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
					var err error
					n, err = l.Checkpoint(ctx, tx)
					return err
				})
				if err != nil {
					return err
				}
				fmt.Fprintf(env.Stdout, "Signed every chain's head and %d new checkpoints.\n", n)
			}
			return nil
		})
	cmd.AddCommand(verify)
	return cmd
}
