package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"alliance/internal/app"
	"alliance/internal/audit"
	"alliance/internal/auth"
	"alliance/internal/config"
	"alliance/internal/demo"
	"alliance/internal/generate"
	"alliance/internal/importexport"
	"alliance/internal/service"
	"alliance/internal/store"
)

// dbCommand builds a command that takes --db and the logging flags and runs
// fn with an open store, creating an empty SQLite database when none
// exists.
func dbCommand(env Env, use, short string, args cobra.PositionalArgs, bind func(*cobra.Command), fn func(cmd *cobra.Command, c *config.Config, st *store.Store, args []string) error) *cobra.Command {
	return openingCommand(env, app.OpenStore, use, short, args, bind, fn)
}

// lookCommand is dbCommand for commands that only look at a database: a
// SQLite file that does not exist is an error, and is not created.
func lookCommand(env Env, use, short string, args cobra.PositionalArgs, bind func(*cobra.Command), fn func(cmd *cobra.Command, c *config.Config, st *store.Store, args []string) error) *cobra.Command {
	return openingCommand(env, app.OpenExistingStore, use, short, args, bind, fn)
}

func openingCommand(env Env, open func(context.Context, config.Config, *slog.Logger) (*store.Store, error), use, short string, args cobra.PositionalArgs,
	bind func(*cobra.Command), fn func(cmd *cobra.Command, c *config.Config, st *store.Store, args []string) error) *cobra.Command {
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
		st, err := open(cmd.Context(), *c, logger(env, c))
		if err != nil {
			return err
		}
		defer st.Close()
		return fn(cmd, c, st, args)
	}
	return cmd
}

func migrateCmd(env Env) *cobra.Command {
	cmd := &cobra.Command{Use: "migrate", Short: "Show or apply database migrations"}
	cmd.AddCommand(
		lookCommand(env, "status", "List migrations and whether each is applied", cobra.NoArgs, nil,
			func(cmd *cobra.Command, c *config.Config, st *store.Store, _ []string) error {
				states, err := st.MigrationStatus(cmd.Context())
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
		dbCommand(env, "up", "Apply every pending migration", cobra.NoArgs, nil,
			func(cmd *cobra.Command, c *config.Config, st *store.Store, _ []string) error {
				applied, err := st.Migrate(cmd.Context())
				if err != nil {
					return err
				}
				if len(applied) == 0 {
					fmt.Fprintln(env.Stdout, "The database is up to date.")
					return nil
				}
				fmt.Fprintf(env.Stdout, "Applied %d migrations: %v\n", len(applied), applied)
				// The upgrade that adds audit head signatures signs the
				// heads already there, with the deployment's key (never a
				// new one).
				if upgraded, err := app.HeadSigningApplied(cmd.Context(), st, applied); err != nil || !upgraded {
					return err
				}
				if started, err := st.AuditStarted(cmd.Context()); err != nil || !started {
					return err
				}
				key, src, err := app.LoadSecretKey(*c, st)
				if err != nil {
					fmt.Fprintf(env.Stdout, "The audit chains' heads were not signed (%v): run alliance audit verify --checkpoint with the deployment's key.\n", err)
					return nil
				}
				n, err := app.SignHeadsAfterUpgrade(cmd.Context(), st, audit.NewLog(st.Now, st.NewID, audit.SigningKey(key)), applied)
				if err != nil {
					return err
				}
				if n > 0 {
					fmt.Fprintf(env.Stdout, "Signed the heads of %d audit chains written before heads were signed, with the key in %s.\n", n, src)
				}
				return nil
			}),
	)
	return cmd
}

func demoCmd(env Env) *cobra.Command {
	var stepDelay time.Duration
	return dbCommand(env, "demo", "Load the North Yorkshire demo partnership into an empty database", cobra.NoArgs,
		func(cmd *cobra.Command) {
			cmd.Flags().DurationVar(&stepDelay, "step-delay", 0, "pause between load steps (crash tests only)")
			_ = cmd.Flags().MarkHidden("step-delay")
		},
		func(cmd *cobra.Command, c *config.Config, st *store.Store, _ []string) error {
			if _, err := st.Migrate(cmd.Context()); err != nil {
				return err
			}
			log := logger(env, c)
			key, _, err := app.SecretKey(cmd.Context(), *c, st)
			if err != nil {
				return err
			}
			res, err := demo.Load(cmd.Context(), st, demo.Options{StepDelay: stepDelay, Audit: audit.NewLog(st.Now, st.NewID, audit.SigningKey(key)), Progress: func(step string, n, of int) {
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
	return dbCommand(env, "generate", "Fill a database with synthetic benchmark-scale data", cobra.NoArgs,
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
		func(cmd *cobra.Command, c *config.Config, st *store.Store, _ []string) error {
			if _, err := st.Migrate(cmd.Context()); err != nil {
				return err
			}
			key, _, err := app.SecretKey(cmd.Context(), *c, st)
			if err != nil {
				return err
			}
			opts.Audit = audit.NewLog(st.Now, st.NewID, audit.SigningKey(key))
			start := time.Now()
			last := time.Now()
			opts.Progress = func(s generate.Stats) {
				if time.Since(last) > 5*time.Second {
					last = time.Now()
					fmt.Fprintf(env.Stderr, "… %d partnerships, %d users, %d audit entries\n", s.Partnerships, s.Users, s.AuditEntries)
				}
			}
			stats, err := generate.Run(cmd.Context(), st, opts)
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
	return lookCommand(env, "backup", "Copy a running SQLite database, and the key file beside it, to new files (PostgreSQL: use pg_dump)", cobra.NoArgs,
		func(cmd *cobra.Command) {
			cmd.Flags().StringVar(&out, "out", "", "the new backup file (required; must not exist); the key file beside the database is copied to OUT.key")
			_ = cmd.MarkFlagRequired("out")
		},
		func(cmd *cobra.Command, c *config.Config, st *store.Store, _ []string) error {
			// A restore needs the key the database was written with: it
			// signs the audit log and seals second-factor secrets.
			key, src, keyErr := app.LoadSecretKey(*c, st)
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
			n, err := st.Backup(cmd.Context(), out)
			if err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "Backed up %s to %s (%d bytes, integrity check ok).\n", st, out, n)
			switch {
			case keyErr != nil:
				return fmt.Errorf("the database was copied, but not its secret key, without which the copy's audit log cannot be checked "+
					"and its second-factor secrets cannot be opened: %w", keyErr)
			case keyOut != "":
				if err := auth.WriteKeyFile(keyOut, key); err != nil {
					return fmt.Errorf("the database was copied, but not its secret key: %w", err)
				}
				fmt.Fprintf(env.Stdout, "Copied the secret key to %s (readable by its owner only). Keep the two files together and the key as safe as the data; "+
					"to restore, put both back: the copy as the database (DB) and its key as DB.key.\n", keyOut)
			default:
				fmt.Fprintf(env.Stdout, "The secret key is not in the backup: this deployment takes it from %s. A restore needs that same key: "+
					"keep it safe, and apart from the backup.\n", src)
			}
			return nil
		})
}

func areasCmd(env Env) *cobra.Command {
	var partnership string
	var dryRun bool
	cmd := &cobra.Command{Use: "areas", Short: "Manage the reporting structure (region, force, districts, wards)"}
	cmd.AddCommand(dbCommand(env, "import FILE.csv", "Add or update areas from a CSV file (columns: "+strings.Join(importexport.AreaColumns, ", ")+")", cobra.ExactArgs(1),
		func(cmd *cobra.Command) {
			cmd.Flags().StringVar(&partnership, "partnership", "", "slug of the partnership (required)")
			cmd.Flags().BoolVar(&dryRun, "dry-run", false, "check every row and report, storing nothing")
			_ = cmd.MarkFlagRequired("partnership")
		},
		func(cmd *cobra.Command, c *config.Config, st *store.Store, args []string) error {
			f, err := os.Open(args[0])
			if err != nil {
				return err
			}
			defer f.Close()
			rows, err := importexport.ParseAreasCSV(f)
			if err != nil {
				return err
			}
			svc := service.New(st, logger(env, c))
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
