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
	verify := dbCommand(env, "verify", "Walk every audit chain and report the first entry that was changed, removed or inserted", cobra.NoArgs,
		func(cmd *cobra.Command) {
			cmd.Flags().BoolVar(&seal, "checkpoint", false, "after a clean check, sign each chain's current head")
		},
		func(cmd *cobra.Command, c *config.Config, st *store.Store, _ []string) error {
			ctx := cmd.Context()
			key, err := app.SecretKey(*c, st)
			if err != nil {
				return err
			}
			priv := audit.SigningKey(key)
			rep, err := audit.Verify(ctx, st.Reader(), priv.Public().(ed25519.PublicKey))
			if err != nil {
				return err
			}
			rate := float64(rep.Entries) / max(rep.Elapsed.Seconds(), 1e-9)
			fmt.Fprintf(env.Stdout, "Checked %d entries in %d chains and %d signed checkpoints in %s (%.0f entries a second).\n",
				rep.Entries, rep.Chains, rep.Checkpoints, rep.Elapsed.Round(1e6), rate)
			if !rep.OK() {
				for _, p := range rep.Problems {
					fmt.Fprintln(env.Stdout, "PROBLEM:", p)
				}
				return errors.New("the audit log has been tampered with: see the problems above, the first is where it starts")
			}
			fmt.Fprintln(env.Stdout, "The audit log is intact.")
			if seal {
				l := audit.NewLog(st.Now, st.NewID, priv)
				var n int
				err := st.InTx(ctx, func(ctx_ context.Context, tx *sql.Tx) error {
					var err error
					n, err = l.Checkpoint(ctx_, tx)
					return err
				})
				if err != nil {
					return err
				}
				fmt.Fprintf(env.Stdout, "Signed %d new checkpoints.\n", n)
			}
			return nil
		})
	cmd.AddCommand(verify)
	return cmd
}
