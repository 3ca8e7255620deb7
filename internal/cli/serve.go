package cli

import (
	"fmt"
	"runtime/debug"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"alliance/internal/app"
)

func serveCmd(env Env) *cobra.Command {
	var stepDelay time.Duration
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the web pages and the API",
		Long: "Serve the web pages and the JSON API. On an empty database it applies the migrations;\n" +
			"with --demo it also loads the North Yorkshire demo partnership (once: a second start reuses the data).",
		Args: cobra.NoArgs,
	}
	c, envErr := loadConfig(env)
	c.BindServe(cmd.Flags())
	cmd.Flags().DurationVar(&stepDelay, "demo-step-delay", 0, "pause between demo load steps (crash tests only)")
	_ = cmd.Flags().MarkHidden("demo-step-delay")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		if envErr != nil {
			return envErr
		}
		if err := c.ValidateServe(); err != nil {
			return err
		}
		log := logger(env, c)
		ctx := cmd.Context()
		start := time.Now()
		// Password hashing allocates 64 MiB a time; a soft memory limit makes
		// the collector return that promptly instead of letting the heap
		// double. GOMEMLIMIT, when set, wins.
		if env.Getenv("GOMEMLIMIT") == "" {
			debug.SetMemoryLimit(192 << 20)
		}
		ln, err := c.Listen()
		if err != nil {
			return err
		}
		defer ln.Close()
		a, err := app.New(ctx, *c, log, app.Options{Version: env.Version, DemoStepDelay: stepDelay})
		if err != nil {
			return err
		}
		defer a.Close()
		url := "http://" + ln.Addr().String() + "/"
		log.Info("ready", "url", url, "db", a.Database(), "secret_key", a.KeySource().String(), "startup", time.Since(start).String())
		fmt.Fprintf(env.Stdout, "Alliance is ready at %s (database: %s, started in %s)\n", url, a.Database(), time.Since(start).Round(time.Millisecond))
		fmt.Fprintf(env.Stdout, "Secret key: %s. It signs the audit log and unlocks second-factor secrets: keep it with every backup, and as safe.\n", a.KeySource())
		if c.Demo {
			printDemoUsers(env, a)
		}
		return a.Serve(ctx, ln)
	}
	return cmd
}

func printDemoUsers(env Env, a *app.App) {
	fmt.Fprintln(env.Stdout, "Demo partnership: North Yorkshire: Project Alliance. Sign in at /sign-in with one of these accounts")
	fmt.Fprintln(env.Stdout, "and the password alliance-demo-partnership (demo accounts skip the second factor; see README, 'Demo accounts'):")
	if !a.DemoLoaded {
		fmt.Fprintln(env.Stdout, "  (demo data was already present and has been reused)")
		return
	}
	for _, u := range a.DemoResult.Users {
		roles := make([]string, len(u.Roles))
		for i, r := range u.Roles {
			roles[i] = string(r)
		}
		fmt.Fprintf(env.Stdout, "  %-32s %s\n", u.Email, strings.Join(roles, ", "))
	}
}
