package cli

import (
	"net/http"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"alliance/internal/loadtest"
)

func loadtestCmd(env Env) *cobra.Command {
	var (
		opts            loadtest.Options
		paths           string
		token           string
		email, password string
		stormRate       int
	)
	cmd := &cobra.Command{
		Use:   "loadtest",
		Short: "Drive bounded load at a server on this machine and print throughput and p50/p95/p99 against /healthz",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			for _, p := range strings.Split(paths, ",") {
				if p = strings.TrimSpace(p); p != "" {
					opts.Paths = append(opts.Paths, p)
				}
			}
			opts.Header = http.Header{}
			if token != "" {
				opts.Header.Set("Authorization", "Bearer "+token)
			}
			if email != "" {
				ck, err := loadtest.SignIn(cmd.Context(), opts.BaseURL, email, password)
				if err != nil {
					return err
				}
				opts.Header.Set("Cookie", ck.Name+"="+ck.Value)
			}
			if stormRate > 0 {
				res, err := loadtest.RunStorm(cmd.Context(), opts, stormRate)
				if err != nil {
					return err
				}
				return loadtest.PrintStorm(env.Stdout, res)
			}
			res, err := loadtest.Run(cmd.Context(), opts)
			if err != nil {
				return err
			}
			return loadtest.Print(env.Stdout, res)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.BaseURL, "url", "http://127.0.0.1:8080", "server to load (loopback addresses only)")
	f.StringVar(&paths, "paths", "/,/areas,/api/v1/areas", "comma-separated endpoints to measure")
	f.DurationVar(&opts.Duration, "duration", 5*time.Second, "time per endpoint (at most 2m)")
	f.IntVar(&opts.Concurrency, "concurrency", 8, "concurrent workers (at most 256)")
	f.IntVar(&opts.MaxRequests, "max-requests", 200000, "requests per endpoint at most")
	f.StringVar(&token, "token", "", "API token to send as a bearer token")
	f.StringVar(&email, "email", "", "sign in as this demo account first and send its session cookie")
	f.StringVar(&password, "password", "", "password for --email")
	f.IntVar(&stormRate, "storm-rate", 0, "instead: measure --paths quietly, then during a storm of this many failed sign-ins a second")
	return cmd
}
