// Command alliance serves and administers Alliance, the platform for
// multi-agency serious and organised crime partnerships. See README.md.
package main

import (
	"os"
	_ "time/tzdata" // UK dates need Europe/London on machines without a zone database

	"alliance/internal/cli"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	os.Exit(cli.Execute(cli.Env{Args: os.Args[1:], Getenv: os.Getenv, Stdout: os.Stdout, Stderr: os.Stderr, Version: version}))
}
