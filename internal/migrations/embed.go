// Package migrations embeds the schema migrations, one directory per dialect.
// The two directories hold the same version numbers: version N is the same
// logical change in each engine's DDL (a test keeps them aligned). Queries
// never differ; only DDL does.
package migrations

import (
	"embed"
	"fmt"
	"io/fs"
)

//go:embed sqlite/*.sql postgres/*.sql
var files embed.FS

// FS returns the migration files for dialect ("sqlite" or "postgres").
func FS(dialect string) (fs.FS, error) {
	switch dialect {
	case "sqlite", "postgres":
		return fs.Sub(files, dialect)
	}
	return nil, fmt.Errorf("migrations: unknown dialect %q", dialect)
}
