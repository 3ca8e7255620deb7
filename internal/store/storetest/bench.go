package storetest

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// BenchCacheDSN is the connection string of the cached benchmark database
// name on e: a SQLite file in $ALLIANCE_BENCH_CACHE (or the temporary
// directory's alliance-bench), or a PostgreSQL schema of that name, made
// when missing. Benchmarks build such a database once and reuse it.
func BenchCacheDSN(t testing.TB, e Engine, name string) string {
	t.Helper()
	if e.Name == "sqlite" {
		dir := os.Getenv("ALLIANCE_BENCH_CACHE")
		if dir == "" {
			dir = filepath.Join(os.TempDir(), "alliance-bench")
		}
		if err := os.MkdirAll(dir, 0o750); err != nil { //nolint:gosec // the cache directory is the benchmark runner's own setting
			t.Fatal(err)
		}
		return filepath.Join(dir, name+".db")
	}
	base := os.Getenv(EnvPostgres)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.ExecContext(context.Background(), "CREATE SCHEMA IF NOT EXISTS "+name); err != nil {
		t.Fatal(err)
	}
	return base + "&search_path=" + name
}

// PerformanceBareAggregate computes a performance dashboard's numbers for
// partnership pid and the financial year fy (2024 for 2024/25) with plain
// SQL over the disruptions and outcomes and no access policy: the floor
// the dashboard is compared with (BenchmarkPerformance and
// BenchmarkPerformanceHTTP).
func PerformanceBareAggregate(ctx context.Context, db *sql.DB, pid string, fy int) error {
	from, to := fmt.Sprintf("%d-04-01", fy), fmt.Sprintf("%d-03-31", fy+1)
	where := `d.partnership_id = $1 AND d.status = 'validated' AND d.fiscal_year = $4 AND d.disrupted_on >= $2 AND d.disrupted_on <= $3`
	for _, q := range []string{
		`SELECT d.validated_four_p, d.validated_impact, count(*) FROM disruption d WHERE ` + where + ` GROUP BY 1, 2`,
		`SELECT d.month, count(*) FROM disruption d WHERE ` + where + ` GROUP BY 1`,
		`SELECT d.unit_id, count(*) FROM disruption d WHERE ` + where + ` GROUP BY 1`,
		`SELECT t.threat_code, count(*) FROM disruption d JOIN disruption_threat t ON t.disruption_id = d.id WHERE ` + where + ` GROUP BY 1`,
		`SELECT o.outcome_type, count(*), sum(o.quantity), sum(o.months), sum(o.value_pence) FROM disruption d JOIN disruption_outcome o ON o.disruption_id = d.id WHERE ` + where + ` GROUP BY 1`,
		`SELECT COALESCE(o.agency_id, d.lead_agency_id), o.seizure_type, sum(o.quantity), sum(o.value_pence) FROM disruption d JOIN disruption_outcome o ON o.disruption_id = d.id
			WHERE ` + where + ` AND o.seizure_type IS NOT NULL GROUP BY 1, 2`,
	} {
		if err := drain(ctx, db, q, pid, from, to, fy); err != nil {
			return err
		}
	}
	return nil
}

func drain(ctx context.Context, db *sql.DB, q string, args ...any) error {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("bare aggregate: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
	}
	return rows.Err()
}
