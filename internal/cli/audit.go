package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"alliance/internal/app"
	"alliance/internal/config"
)

func auditCmd(env Env) *cobra.Command {
	var seal bool
	cmd := &cobra.Command{Use: "audit", Short: "Check the audit log"}
	verify := appCommand(env, looks(), "verify", "Walk every audit chain and report the first entry that was changed, removed, inserted or cut off the end", cobra.NoArgs,
		func(cmd *cobra.Command) {
			cmd.Flags().BoolVar(&seal, "checkpoint", false, "after a clean check, sign each chain's current head and add a checkpoint there "+
				"(also signs the heads of a log written before heads were signed)")
		},
		func(cmd *cobra.Command, c *config.Config, a *app.App, _ []string) error {
			return verifyAudit(cmd.Context(), env, a, seal)
		})
	cmd.AddCommand(verify)
	return cmd
}

// verifyAudit walks the log, prints what it found and, when seal is set
// and the log is sound, signs every head and adds a checkpoint there. It
// never makes a key: a new key would only make the log look tampered with
// (the App is built with app.KeyIfAny).
func verifyAudit(ctx context.Context, env Env, a *app.App, seal bool) error {
	if pending, err := a.HasPendingMigrations(ctx); err != nil {
		return err
	} else if pending {
		return errors.New("the database schema is behind this version of Alliance: run 'alliance migrate up --db …' first")
	}
	if err := a.KeyErr(); err != nil {
		return err
	}
	keyID, err := a.AuditKeyID()
	if err != nil {
		return err
	}
	src := a.KeySource()
	fmt.Fprintf(env.Stdout, "Secret key: %s (key id %s).\n", src, keyID)
	rep, err := a.VerifyAudit(ctx)
	if err != nil {
		return err
	}
	rate := float64(rep.Entries) / max(rep.Elapsed.Seconds(), 1e-9)
	fmt.Fprintf(env.Stdout, "Checked %d entries in %d chains and %d signed checkpoints in %s (%.0f entries a second).\n",
		rep.Entries, rep.Chains, rep.Checkpoints, rep.Elapsed.Round(1e6), rate)
	for _, h := range rep.Heads {
		fmt.Fprintf(env.Stdout, "Chain of partnership %s ends at entry %d, hash %s.\n", h.PartnershipID, h.Seq, h.Hash)
	}
	unsigned := 0 // chains whose head carries no signature
	for _, p := range rep.Problems {
		fmt.Fprintln(env.Stdout, "PROBLEM:", p)
		if p.Kind == "unsigned" {
			unsigned++
		}
	}
	switch {
	case rep.OK():
		fmt.Fprintln(env.Stdout, "The audit log is intact.")
	case rep.OnlyKinds("key"):
		return fmt.Errorf("key mismatch: the audit log was signed with a different key from the one in %s; "+
			"this by itself is not evidence of tampering: check the log with the key it was written with", src)
	case rep.OnlyKinds("unsigned") && unsigned < rep.Chains:
		// A log from before heads were signed has no signed head at all,
		// and the upgrade signs every head at once: some signed and some
		// not means signatures were removed, perhaps to hide a cut, so it
		// is never sealed.
		return errors.New("some chains' heads are signed and others are not: their signatures were removed; " +
			"this is evidence of tampering, and the log will not be sealed: compare each chain's end with the last recorded one")
	case rep.OnlyKinds("unsigned") && seal:
		fmt.Fprintln(env.Stdout, "Apart from heads not yet signed (a log written before heads were signed), the audit log is intact.")
	case rep.OnlyKinds("unsigned"):
		return errors.New("the chains' heads are not signed (a log written before heads were signed, or their signatures were removed); " +
			"if nobody could have cut entries off since the last check, sign them with: alliance audit verify --checkpoint")
	default:
		return errors.New("the audit log has been tampered with: see the problems above, the first is where it starts")
	}
	if seal {
		n, err := a.SealAudit(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "Signed every chain's head and %d new checkpoints.\n", n)
	}
	return nil
}
