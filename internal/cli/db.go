package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"alliance/internal/app"
	"alliance/internal/config"
	"alliance/internal/demo"
	"alliance/internal/generate"
	"alliance/internal/importexport"
)

// How commands build the App (app.Options): whether the database must
// exist already, whether pending migrations are applied first, and how the
// secret key is found.

// writes is for a command that writes audited work: the key is made beside
// a new SQLite database.
func writes() app.Options { return app.Options{Key: app.KeyWrite} }

// migratesAndWrites is writes, after applying pending migrations.
func migratesAndWrites() app.Options { return app.Options{Migrate: true, Key: app.KeyWrite} }

// opens is for a command that writes nothing audited, over a database made
// when there is none; a key is used if there is one.
func opens() app.Options { return app.Options{Key: app.KeyIfAny} }

// migratesAndOpens is opens, after applying pending migrations.
func migratesAndOpens() app.Options { return app.Options{Migrate: true, Key: app.KeyIfAny} }

// looks is for a command that only looks at a database: a SQLite file that
// does not exist is an error, and is not created; a key is used if there
// is one.
func looks() app.Options { return app.Options{Existing: true, Key: app.KeyIfAny} }

// appCommand builds a command that takes --db and the logging flags and
// runs fn with the App that app.Build makes as how says.
func appCommand(env Env, how app.Options, use, short string, args cobra.PositionalArgs,
	bind func(*cobra.Command), fn func(cmd *cobra.Command, c *config.Config, a *app.App, args []string) error) *cobra.Command {
	cmd := &cobra.Command{Use: use, Short: short, Args: args}
	c, envErr := loadConfig(env)
	c.BindDB(cmd.Flags())
	if bind != nil {
		bind(cmd)
	}
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if envErr != nil {
			return envErr
		}
		if err := c.ValidateDB(); err != nil {
			return err
		}
		a, err := app.Build(cmd.Context(), *c, logger(env, c), how)
		if err != nil {
			return err
		}
		defer a.Close()
		return fn(cmd, c, a, args)
	}
	return cmd
}

func migrateCmd(env Env) *cobra.Command {
	cmd := &cobra.Command{Use: "migrate", Short: "Show or apply database migrations"}
	cmd.AddCommand(
		appCommand(env, looks(), "status", "List migrations and whether each is applied", cobra.NoArgs, nil,
			func(cmd *cobra.Command, c *config.Config, a *app.App, _ []string) error {
				states, err := a.MigrationStatus(cmd.Context())
				if err != nil {
					return err
				}
				tw := tabwriter.NewWriter(env.Stdout, 0, 0, 2, ' ', 0)
				fmt.Fprintln(tw, "VERSION\tSTATE\tAPPLIED AT (UTC)\tFILE")
				for _, m := range states {
					state, at := "pending", ""
					if m.Applied {
						state, at = "applied", m.AppliedAt.Format(time.DateTime)
					}
					fmt.Fprintf(tw, "%05d\t%s\t%s\t%s\n", m.Version, state, at, m.Name)
				}
				return tw.Flush()
			}),
		appCommand(env, opens(), "up", "Apply every pending migration", cobra.NoArgs, nil,
			func(cmd *cobra.Command, c *config.Config, a *app.App, _ []string) error {
				return migrateUp(cmd.Context(), env, a)
			}),
	)
	return cmd
}

// migrateUp applies every pending migration. The upgrade that adds audit
// head signatures signs the heads already there, with the deployment's key
// (never a new one).
func migrateUp(ctx context.Context, env Env, a *app.App) error {
	applied, err := a.Migrate(ctx)
	if err != nil {
		return err
	}
	if len(applied) == 0 {
		fmt.Fprintln(env.Stdout, "The database is up to date.")
		return nil
	}
	fmt.Fprintf(env.Stdout, "Applied %d migrations: %v\n", len(applied), applied)
	if sign, err := a.HeadsNeedSigning(ctx, applied); err != nil || !sign {
		return err
	}
	if err := a.KeyErr(); err != nil {
		fmt.Fprintf(env.Stdout, "The audit chains' heads were not signed (%v): run alliance audit verify --checkpoint with the deployment's key.\n", err)
		return nil
	}
	n, err := a.SignHeadsAfterUpgrade(ctx, applied)
	if err != nil {
		return err
	}
	if n > 0 {
		fmt.Fprintf(env.Stdout, "Signed the heads of %d audit chains written before heads were signed, with the key in %s.\n", n, a.KeySource())
	}
	return nil
}

func demoCmd(env Env) *cobra.Command {
	var stepDelay time.Duration
	return appCommand(env, migratesAndWrites(), "demo", "Load the North Yorkshire demo partnership into an empty database", cobra.NoArgs,
		func(cmd *cobra.Command) {
			cmd.Flags().DurationVar(&stepDelay, "step-delay", 0, "pause between load steps (crash tests only)")
			_ = cmd.Flags().MarkHidden("step-delay")
		},
		func(cmd *cobra.Command, c *config.Config, a *app.App, _ []string) error {
			log := logger(env, c)
			res, err := a.LoadDemo(cmd.Context(), demo.Options{StepDelay: stepDelay, Progress: func(step string, n, of int) {
				log.Debug("demo step written, not yet committed", "step", step, "n", n, "of", of)
			}})
			if errors.Is(err, demo.ErrNotEmpty) {
				return errors.New("the database already holds data; the demo loads only into an empty database")
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "Loaded %s: %d agencies, %d areas, %d users.\n", res.Partnership.Name, res.Agencies, res.OrgUnits, len(res.Users))
			return nil
		})
}

func generateCmd(env Env) *cobra.Command {
	opts := generate.Defaults
	return appCommand(env, migratesAndWrites(), "generate", "Fill a database with synthetic benchmark-scale data", cobra.NoArgs,
		func(cmd *cobra.Command) {
			f := cmd.Flags()
			f.IntVar(&opts.Partnerships, "partnerships", opts.Partnerships, "synthetic partnerships")
			f.IntVar(&opts.DistrictsPer, "districts", opts.DistrictsPer, "districts per partnership")
			f.IntVar(&opts.WardsPerDistrict, "wards", opts.WardsPerDistrict, "wards per district")
			f.IntVar(&opts.AgenciesPer, "agencies", opts.AgenciesPer, "agencies per partnership")
			f.IntVar(&opts.UsersPer, "users", opts.UsersPer, "users per partnership")
			f.IntVar(&opts.AuditPer, "audit", 0, "audit log entries per partnership (10M across 45 partnerships: 222223)")
			f.IntVar(&opts.Batch, "batch", opts.Batch, "rows per transaction")
			f.Uint64Var(&opts.Seed, "seed", opts.Seed, "random seed")
		},
		func(cmd *cobra.Command, c *config.Config, a *app.App, _ []string) error {
			start := time.Now()
			last := time.Now()
			opts.Progress = func(s generate.Stats) {
				if time.Since(last) > 5*time.Second {
					last = time.Now()
					fmt.Fprintf(env.Stderr, "… %d partnerships, %d users, %d audit entries\n", s.Partnerships, s.Users, s.AuditEntries)
				}
			}
			stats, err := a.Generate(cmd.Context(), opts)
			if err != nil {
				return err
			}
			el := time.Since(start)
			rows := stats.Partnerships + stats.OrgUnits + stats.Agencies + stats.Users + stats.AuditEntries
			fmt.Fprintf(env.Stdout, "Generated %d partnerships, %d areas, %d agencies, %d users, %d audit entries (%d rows) in %s: %.0f rows/s, peak memory %.0f MiB.\n",
				stats.Partnerships, stats.OrgUnits, stats.Agencies, stats.Users, stats.AuditEntries, rows, el.Round(time.Millisecond), float64(rows)/el.Seconds(), peakRSSMiB())
			return nil
		})
}

func backupCmd(env Env) *cobra.Command {
	var out string
	return appCommand(env, looks(), "backup", "Copy a running SQLite database, and the key file beside it, to new files (PostgreSQL: use pg_dump)", cobra.NoArgs,
		func(cmd *cobra.Command) {
			cmd.Flags().StringVar(&out, "out", "", "the new backup file (required; must not exist); the key file beside the database is copied to OUT.key")
			_ = cmd.MarkFlagRequired("out")
		},
		func(cmd *cobra.Command, c *config.Config, a *app.App, _ []string) error {
			return backup(cmd.Context(), env, a, out)
		})
}

// backup copies the database to out and its key, when it lives beside the
// database, to out.key: a restore needs the key the database was written
// with, which signs the audit log and seals second-factor secrets.
func backup(ctx context.Context, env Env, a *app.App, out string) error {
	src, keyErr := a.KeySource(), a.KeyErr()
	keyOut := ""
	if keyErr == nil && src.BesideDB {
		abs, err := filepath.Abs(out)
		if err != nil {
			return fmt.Errorf("--out: %w", err)
		}
		keyOut = abs + ".key"
		if _, err := os.Stat(keyOut); err == nil {
			return fmt.Errorf("--out: %s already exists; choose a new file name", keyOut)
		}
	}
	n, err := a.Backup(ctx, out)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "Backed up %s to %s (%d bytes, integrity check ok).\n", a.Database(), out, n)
	switch {
	case keyErr != nil:
		return fmt.Errorf("the database was copied, but not its secret key, without which the copy's audit log cannot be checked "+
			"and its second-factor secrets cannot be opened: %w", keyErr)
	case keyOut != "":
		if err := a.CopyKey(keyOut); err != nil {
			return fmt.Errorf("the database was copied, but not its secret key: %w", err)
		}
		fmt.Fprintf(env.Stdout, "Copied the secret key to %s (readable by its owner only). Keep the two files together and the key as safe as the data; "+
			"to restore, put both back: the copy as the database (DB) and its key as DB.key.\n", keyOut)
	default:
		fmt.Fprintf(env.Stdout, "The secret key is not in the backup: this deployment takes it from %s. A restore needs that same key: "+
			"keep it safe, and apart from the backup.\n", src)
	}
	return nil
}

func areasCmd(env Env) *cobra.Command {
	var partnership string
	var dryRun bool
	cmd := &cobra.Command{Use: "areas", Short: "Manage the reporting structure (region, force, districts, wards)"}
	cmd.AddCommand(appCommand(env, opens(), "import FILE.csv", "Add or update areas from a CSV file (columns: "+strings.Join(importexport.AreaColumns, ", ")+")", cobra.ExactArgs(1),
		func(cmd *cobra.Command) {
			cmd.Flags().StringVar(&partnership, "partnership", "", "slug of the partnership (required)")
			cmd.Flags().BoolVar(&dryRun, "dry-run", false, "check every row and report, storing nothing")
			_ = cmd.MarkFlagRequired("partnership")
		},
		func(cmd *cobra.Command, c *config.Config, a *app.App, args []string) error {
			f, err := os.Open(args[0])
			if err != nil {
				return err
			}
			defer f.Close()
			rows, err := importexport.ParseAreasCSV(f)
			if err != nil {
				return err
			}
			svc := a.Service()
			p, err := svc.Partnership(cmd.Context(), partnership)
			if err != nil {
				return err
			}
			res, err := svc.ImportAreas(cmd.Context(), p, rows, dryRun)
			if err != nil {
				return err
			}
			verb := "Imported"
			if res.DryRun {
				verb = "Dry run: nothing stored; the import would have"
			}
			fmt.Fprintf(env.Stdout, "%s %d new and %d updated areas for %s.\n", verb, res.Created, res.Updated, p.Name)
			return nil
		}))
	return cmd
}
