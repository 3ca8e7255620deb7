package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"alliance/internal/app"
	"alliance/internal/config"
	"alliance/internal/domain"
	"alliance/internal/importexport"
	"alliance/internal/service"
)

// importFlags are the register import's flags.
type importFlags struct {
	partnership, as, format, sheet string
	class, handling, handlingNote  string
	condAgencies, condTypes        []string
	dryRun, stats                  bool
}

// bind binds the flags to cmd.
func (fl *importFlags) bind(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&fl.partnership, "partnership", "", "slug of the partnership (required)")
	f.StringVar(&fl.as, "as", "", "email address of the user importing: the records are theirs and their agency's (required)")
	f.BoolVar(&fl.dryRun, "dry-run", false, "check every row and report, storing nothing")
	f.StringVar(&fl.format, "format", "", "csv or xlsx (default: from the file name)")
	f.StringVar(&fl.sheet, "sheet", "", "the XLSX sheet to read (default: the first)")
	f.StringVar(&fl.class, "classification", "OFFICIAL-SENSITIVE", "classification of the imported records: OFFICIAL or OFFICIAL-SENSITIVE")
	f.StringVar(&fl.handling, "handling", "P", "handling code of the imported records: P, or C with --condition-agency or --condition-type")
	f.StringVar(&fl.handlingNote, "handling-note", "", "the handling conditions in words (handling code C)")
	f.StringSliceVar(&fl.condAgencies, "condition-agency", nil, "agency (name or short name) handling code C allows, repeatable")
	f.StringSliceVar(&fl.condTypes, "condition-type", nil, "agency type handling code C allows (police, local_authority, …), repeatable")
	f.BoolVar(&fl.stats, "stats", false, "print rows a second and peak resident memory")
	_ = cmd.MarkFlagRequired("partnership")
	_ = cmd.MarkFlagRequired("as")
}

// importCmd is `alliance import groups|people|links FILE`: the register
// import, as the user named by --as, with the same checks as the web page.
func importCmd(env Env) *cobra.Command {
	var fl importFlags
	kinds := []string{"groups", "people", "links"}
	return appCommand(env, writes(), "import groups|people|links FILE", "Import groups, people or links into the register from a CSV or XLSX file (all rows or none)",
		cobra.ExactArgs(2), fl.bind,
		func(cmd *cobra.Command, c *config.Config, a *app.App, args []string) error {
			kind, ok := importexport.ParseRegisterKind(args[0])
			if !ok {
				return fmt.Errorf("import %q: choose one of %s", args[0], strings.Join(kinds, ", "))
			}
			fmtName := fl.format
			if fmtName == "" {
				fmtName = filepath.Ext(args[1])
			}
			ff, ok := importexport.ParseFormat(fmtName)
			if !ok {
				return fmt.Errorf("%s: cannot tell the format; name the file .csv or .xlsx, or give --format", args[1])
			}
			return importRegister(cmd.Context(), env, a, &fl, kind, ff, args[1])
		})
}

// importRegister imports the file at path and reports what it stored, or
// the problems it found.
func importRegister(ctx context.Context, env Env, a *app.App, fl *importFlags, kind importexport.RegisterKind, ff importexport.Format, path string) error {
	im := a.Importer()
	actor, err := im.ActorByEmail(ctx, fl.partnership, fl.as)
	if err != nil {
		return fmt.Errorf("--as %s: no active user of partnership %q has that address", fl.as, fl.partnership)
	}
	marking, err := importMarking(ctx, a, actor, fl)
	if err != nil {
		return err
	}
	file, err := os.Open(path) //nolint:gosec // the operator names the file to import
	if err != nil {
		return err
	}
	defer file.Close()
	start := time.Now()
	res, err := im.Import(ctx, actor, kind, ff, file, service.ImportOptions{DryRun: fl.dryRun, Marking: marking, Sheet: fl.sheet,
		FileName: filepath.Base(path)})
	elapsed := time.Since(start)
	if fl.stats {
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
		return fmt.Errorf("%s: %s checked, %s; nothing stored", path, domain.Count(res.Rows, "row", "rows"),
			domain.Count(len(res.Problems)+res.MoreProblems, "problem", "problems"))
	case errors.As(err, &verr):
		for _, p := range verr.Problems {
			fmt.Fprintf(env.Stdout, "%s: %s\n", p.Field, p.Message)
		}
		return fmt.Errorf("%s: cannot be imported; nothing stored", path)
	case errors.Is(err, domain.ErrForbidden):
		return fmt.Errorf("%s may not add %s to the register", fl.as, kind)
	case err != nil:
		return err
	}
	if res.DryRun {
		fmt.Fprintf(env.Stdout, "%s checked, no problems; nothing stored (dry run).\n", domain.Count(res.Rows, "row", "rows"))
		return nil
	}
	if kind != importexport.KindPeople {
		fmt.Fprintf(env.Stdout, "%d %s stored.\n", res.Stored, kind)
		return nil
	}
	fmt.Fprintf(env.Stdout, "%d people stored (%d memberships) and added to the search index.\n", res.Stored, res.Members)
	return nil
}

// importMarking is the protective marking the flags give the imported
// records, with the agencies handling code C names found by name or short
// name.
func importMarking(ctx context.Context, a *app.App, actor domain.Actor, fl *importFlags) (domain.MarkingInput, error) {
	marking := domain.MarkingInput{Classification: fl.class, Handling: fl.handling, HandlingNote: fl.handlingNote, ConditionTypes: fl.condTypes}
	agencies, err := a.Admin().Agencies(ctx, actor)
	if err != nil {
		return marking, err
	}
	for _, name := range fl.condAgencies {
		found := false
		for _, ag := range agencies {
			if strings.EqualFold(ag.Name, name) || strings.EqualFold(ag.ShortName, name) {
				marking.ConditionAgencies, found = append(marking.ConditionAgencies, ag.ID), true
			}
		}
		if !found {
			return marking, fmt.Errorf("--condition-agency %q: no such agency in the partnership", name)
		}
	}
	return marking, nil
}
