package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"alliance/internal/app"
	"alliance/internal/audit"
	"alliance/internal/config"
	"alliance/internal/domain"
	"alliance/internal/importexport"
	"alliance/internal/service"
	"alliance/internal/store"
)

// importCmd is `alliance import groups|people|links FILE`: the register
// import, as the user named by --as, with the same checks as the web page.
func importCmd(env Env) *cobra.Command {
	var (
		partnership, as, format, sheet string
		class, handling, handlingNote  string
		condAgencies, condTypes        []string
		dryRun, stats                  bool
	)
	kinds := []string{"groups", "people", "links"}
	return dbCommand(env, "import groups|people|links FILE", "Import groups, people or links into the register from a CSV or XLSX file (all rows or none)",
		cobra.ExactArgs(2),
		func(cmd *cobra.Command) {
			f := cmd.Flags()
			f.StringVar(&partnership, "partnership", "", "slug of the partnership (required)")
			f.StringVar(&as, "as", "", "email address of the user importing: the records are theirs and their agency's (required)")
			f.BoolVar(&dryRun, "dry-run", false, "check every row and report, storing nothing")
			f.StringVar(&format, "format", "", "csv or xlsx (default: from the file name)")
			f.StringVar(&sheet, "sheet", "", "the XLSX sheet to read (default: the first)")
			f.StringVar(&class, "classification", "OFFICIAL-SENSITIVE", "classification of the imported records: OFFICIAL or OFFICIAL-SENSITIVE")
			f.StringVar(&handling, "handling", "P", "handling code of the imported records: P, or C with --condition-agency or --condition-type")
			f.StringVar(&handlingNote, "handling-note", "", "the handling conditions in words (handling code C)")
			f.StringSliceVar(&condAgencies, "condition-agency", nil, "agency (name or short name) handling code C allows, repeatable")
			f.StringSliceVar(&condTypes, "condition-type", nil, "agency type handling code C allows (police, local_authority, …), repeatable")
			f.BoolVar(&stats, "stats", false, "print rows a second and peak resident memory")
			_ = cmd.MarkFlagRequired("partnership")
			_ = cmd.MarkFlagRequired("as")
		},
		func(cmd *cobra.Command, c *config.Config, st *store.Store, args []string) error {
			kind, ok := importexport.ParseRegisterKind(args[0])
			if !ok {
				return fmt.Errorf("import %q: choose one of %s", args[0], strings.Join(kinds, ", "))
			}
			fmtName := format
			if fmtName == "" {
				fmtName = filepath.Ext(args[1])
			}
			ff, ok := importexport.ParseFormat(fmtName)
			if !ok {
				return fmt.Errorf("%s: cannot tell the format; name the file .csv or .xlsx, or give --format", args[1])
			}
			ctx := cmd.Context()
			key, _, err := app.SecretKey(ctx, *c, st)
			if err != nil {
				return err
			}
			im := service.NewImporter(st, logger(env, c), audit.NewLog(st.Now, st.NewID, audit.SigningKey(key)))
			actor, err := im.ActorByEmail(ctx, partnership, as)
			if err != nil {
				return fmt.Errorf("--as %s: no active user of partnership %q has that address", as, partnership)
			}
			agencies, err := st.Agencies(ctx, actor.PartnershipID)
			if err != nil {
				return err
			}
			marking := domain.MarkingInput{Classification: class, Handling: handling, HandlingNote: handlingNote, ConditionTypes: condTypes}
			for _, name := range condAgencies {
				found := false
				for _, ag := range agencies {
					if strings.EqualFold(ag.Name, name) || strings.EqualFold(ag.ShortName, name) {
						marking.ConditionAgencies, found = append(marking.ConditionAgencies, ag.ID), true
					}
				}
				if !found {
					return fmt.Errorf("--condition-agency %q: no such agency in the partnership", name)
				}
			}
			file, err := os.Open(args[1])
			if err != nil {
				return err
			}
			defer file.Close()
			start := time.Now()
			res, err := im.Import(ctx, actor, kind, ff, file, service.ImportOptions{DryRun: dryRun, Marking: marking, Sheet: sheet,
				FileName: filepath.Base(args[1])})
			elapsed := time.Since(start)
			if stats {
				fmt.Fprintf(env.Stderr, "%d rows in %.2fs: %.0f rows/s; peak resident memory %.0f MiB\n",
					res.Rows, elapsed.Seconds(), float64(res.Rows)/elapsed.Seconds(), peakRSSMiB())
			}
			var verr *domain.ValidationError
			switch {
			case errors.Is(err, service.ErrImportProblems):
				for _, p := range res.Problems {
					fmt.Fprintf(env.Stdout, "%s: %s\n", p.Field, p.Message)
				}
				if res.MoreProblems > 0 {
					fmt.Fprintf(env.Stdout, "… and %d more problems\n", res.MoreProblems)
				}
				return fmt.Errorf("%s: %d rows checked, %d problems; nothing stored", args[1], res.Rows, len(res.Problems)+res.MoreProblems)
			case errors.As(err, &verr):
				for _, p := range verr.Problems {
					fmt.Fprintf(env.Stdout, "%s: %s\n", p.Field, p.Message)
				}
				return fmt.Errorf("%s: cannot be imported; nothing stored", args[1])
			case errors.Is(err, domain.ErrForbidden):
				return fmt.Errorf("%s may not add %s to the register", as, kind)
			case err != nil:
				return err
			}
			if res.DryRun {
				fmt.Fprintf(env.Stdout, "%d rows checked, no problems; nothing stored (dry run).\n", res.Rows)
				return nil
			}
			switch kind {
			case importexport.KindPeople:
				fmt.Fprintf(env.Stdout, "%d people stored (%d memberships).\n", res.Stored, res.Members)
				// The people are stored; their search entries are queued.
				// Write them now rather than leave them to a server.
				start := time.Now()
				n, err := service.NewSearchIndexer(st, logger(env, c)).Drain(ctx)
				if err != nil {
					return fmt.Errorf("the people are stored, but writing their search entries failed (a running server will finish them): %w", err)
				}
				if stats {
					took := time.Since(start)
					fmt.Fprintf(env.Stderr, "search index: %d records in %.2fs: %.0f records/s; peak resident memory %.0f MiB\n",
						n, took.Seconds(), float64(n)/took.Seconds(), peakRSSMiB())
				}
				fmt.Fprintf(env.Stdout, "%d records added to the search index.\n", n)
			default:
				fmt.Fprintf(env.Stdout, "%d %s stored.\n", res.Stored, kind)
			}
			return nil
		})
}
