package dialect

import (
	"context"
	"database/sql"
	"fmt"
	"sync"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// uuidCols caches, per table, which columns are of type uuid. Every schema
// of the database has the same migrations, so the table name is key enough.
var uuidCols sync.Map // table → map[string]bool

// CopyRows loads rows into table with PostgreSQL's COPY protocol, through
// conn, inside whatever transaction conn has open (a *sql.Tx begun on conn
// shares its session, so the rows commit or roll back with it). It is the
// PostgreSQL half of the register import's bulk path; SQLite has no COPY,
// and its bulk path re-runs prepared statements instead. table and cols are
// trusted identifiers from code, never user input. IDs may be given as
// strings: values of uuid columns are parsed here, since COPY's binary
// format would otherwise try (and fail) a string encoding for every value.
func CopyRows(ctx context.Context, conn *sql.Conn, table string, cols []string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	err := conn.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("not a pgx connection (%T)", dc)
		}
		pc := c.Conn()
		isUUID, err := uuidColumns(ctx, pc, table)
		if err != nil {
			return err
		}
		var conv []int
		for i, col := range cols {
			if isUUID[col] {
				conv = append(conv, i)
			}
		}
		src := pgx.CopyFromSlice(len(rows), func(i int) ([]any, error) {
			row := rows[i]
			if len(row) != len(cols) {
				return nil, fmt.Errorf("row %d has %d values, want %d", i, len(row), len(cols))
			}
			if len(conv) == 0 {
				return row, nil
			}
			out := make([]any, len(row))
			copy(out, row)
			for _, j := range conv {
				if s, ok := out[j].(string); ok {
					u, err := uuid.Parse(s)
					if err != nil {
						return nil, fmt.Errorf("column %s: %q is not a UUID", cols[j], s)
					}
					out[j] = [16]byte(u)
				}
			}
			return out, nil
		})
		n, err := pc.CopyFrom(ctx, pgx.Identifier{table}, cols, src)
		if err != nil {
			return err
		}
		if n != int64(len(rows)) {
			return fmt.Errorf("copied %d rows of %d", n, len(rows))
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("dialect: copy into %s: %w", table, err)
	}
	return nil
}

func uuidColumns(ctx context.Context, c *pgx.Conn, table string) (map[string]bool, error) {
	if m, ok := uuidCols.Load(table); ok {
		return m.(map[string]bool), nil
	}
	rows, err := c.Query(ctx, `SELECT column_name FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = $1 AND data_type = 'uuid'`, table)
	if err != nil {
		return nil, fmt.Errorf("column types of %s: %w", table, err)
	}
	m := map[string]bool{}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return nil, fmt.Errorf("column types of %s: %w", table, err)
		}
		m[name] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("column types of %s: %w", table, err)
	}
	uuidCols.Store(table, m)
	return m, nil
}
