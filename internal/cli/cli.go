// Package cli is Alliance's command line: thin cobra adapters that build a
// Config, call package app or package service, and print. No command holds
// business logic of its own.
package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"alliance/internal/config"
	"alliance/internal/observe"
)

// Env is what a command may touch of its process: arguments, environment,
// output streams and the version string. Tests pass their own.
type Env struct {
	Args    []string
	Getenv  func(string) string
	Stdout  io.Writer
	Stderr  io.Writer
	Version string
}

// Execute runs the command line and returns the process exit code.
func Execute(env Env) int {
	root := newRoot(env)
	root.SetArgs(env.Args)
	root.SetOut(env.Stdout)
	root.SetErr(env.Stderr)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := root.ExecuteContext(ctx); err != nil {
		fmt.Fprintln(env.Stderr, "alliance:", err)
		return 1
	}
	return 0
}

func newRoot(env Env) *cobra.Command {
	root := &cobra.Command{
		Use:           "alliance",
		Short:         "Alliance: a platform for multi-agency serious and organised crime partnerships",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(
		serveCmd(env),
		migrateCmd(env),
		demoCmd(env),
		generateCmd(env),
		backupCmd(env),
		areasCmd(env),
		importCmd(env),
		partnershipCmd(env),
		userCmd(env),
		tokenCmd(env),
		auditCmd(env),
		loadtestCmd(env),
		versionCmd(env),
	)
	return root
}

// loadConfig reads the environment into a Config; flags are bound to it
// afterwards, so they win.
// The Config is never nil: on an error it holds the defaults, so flags can
// still be bound and the command reports the error when it runs.
func loadConfig(env Env) (*config.Config, error) {
	c, err := config.Load(env.Getenv)
	return &c, err
}

func logger(env Env, c *config.Config) *slog.Logger {
	return observe.NewLogger(env.Stderr, c.LogFormat, c.LogLevel)
}

func versionCmd(env Env) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintln(env.Stdout, "alliance", env.Version)
			return nil
		},
	}
}
