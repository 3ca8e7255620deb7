package dialect

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// StreamRows runs query on conn and calls fn with each row's columns as the
// bytes of their text form, valid only until fn returns; it reports false
// (and does nothing) when conn is not a PostgreSQL connection, so the
// caller reads through database/sql instead. On PostgreSQL it asks pgx for
// every column in text format and hands over the wire bytes as they lie in
// pgx's read buffer: no value is converted, copied or allocated, where
// database/sql would make a string of each column and then copy it. Every
// column of query must be of a type whose text form is what the caller
// wants (text, or an integer it parses).
func StreamRows(ctx context.Context, conn *sql.Conn, query string, args []any, fn func(cols [][]byte) error) (bool, error) {
	pg := false
	if err := conn.Raw(func(dc any) error { _, pg = dc.(*stdlib.Conn); return nil }); err != nil {
		return false, fmt.Errorf("dialect: stream rows: %w", err)
	}
	if !pg {
		return false, nil
	}
	err := conn.Raw(func(dc any) error {
		c := dc.(*stdlib.Conn).Conn()
		rows, err := c.Query(ctx, query, append([]any{pgx.QueryResultFormats{pgx.TextFormatCode}}, args...)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			if err := fn(rows.RawValues()); err != nil {
				return err
			}
		}
		return rows.Err()
	})
	return true, err
}
