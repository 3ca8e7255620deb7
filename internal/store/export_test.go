package store

import (
	"context"
	"fmt"
	"strings"
)

// MigrateDownTo rolls the schema back to just before the migration whose
// name contains name, for tests of what that migration does to existing
// rows; Migrate applies it again.
func (s *Store) MigrateDownTo(ctx context.Context, name string) error {
	st, err := s.MigrationStatus(ctx)
	if err != nil {
		return err
	}
	for _, m := range st {
		if strings.Contains(m.Name, name) {
			p, err := s.provider()
			if err != nil {
				return err
			}
			_, err = p.DownTo(ctx, m.Version-1)
			return err
		}
	}
	return fmt.Errorf("no migration named %q", name)
}
