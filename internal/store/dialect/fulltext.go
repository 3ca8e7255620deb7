package dialect

import (
	"strings"
	"unicode"
)

// FullTextRecords returns, for SQLite, a SELECT of record_id for the
// register records (entities and groups) of the partnership in placeholder
// partnership whose names, aliases, references or identifiers match the
// full-text query in placeholder query (made by FullTextQuery). It reads
// the FTS5 index over search_doc.
func (SQLite) FullTextRecords(partnership, query string) string {
	return `SELECT d.record_id FROM search_fts CROSS JOIN search_doc d ON d.doc_id = search_fts.rowid
		WHERE search_fts MATCH ` + query + ` AND d.partnership_id = ` + partnership
}

// ReportTextMatch returns, for SQLite, the condition that the report's
// doc_id is among the rowids of report_fts matching the FTS5 query.
func (SQLite) ReportTextMatch(alias, query string) string {
	return alias + `.doc_id IN (SELECT rowid FROM report_fts WHERE report_fts MATCH ` + query + `)`
}

// FullTextQuery makes an FTS5 query that matches documents containing
// every word as a prefix: "moha"* "khan"*. words must be normalised
// (letters and digits only, as match.Tokens returns them).
func (SQLite) FullTextQuery(words []string) string {
	parts := make([]string, 0, len(words))
	for _, w := range words {
		if w = clean(w); w != "" {
			parts = append(parts, `"`+w+`"*`)
		}
	}
	return strings.Join(parts, " ")
}

// FullTextRecords returns, for PostgreSQL, a SELECT of record_id for the
// register records matching the tsquery text in placeholder query, read
// from the GIN-indexed search_tsv columns of search_doc (entities' records,
// aliases and nicknames) and ocg.
func (Postgres) FullTextRecords(partnership, query string) string {
	tsq := `to_tsquery('simple', ` + query + `)`
	return `SELECT d.record_id FROM search_doc d WHERE d.partnership_id = ` + partnership + ` AND d.search_tsv @@ ` + tsq + `
		UNION SELECT o.id FROM ocg o WHERE o.partnership_id = ` + partnership + ` AND o.search_tsv @@ ` + tsq
}

// ReportTextMatch returns, for PostgreSQL, the match of the report's
// GIN-indexed search_tsv against the tsquery text.
func (Postgres) ReportTextMatch(alias, query string) string {
	return alias + `.search_tsv @@ to_tsquery('simple', ` + query + `)`
}

// FullTextQuery makes a tsquery text that matches every word as a prefix:
// moha:* & khan:*.
func (Postgres) FullTextQuery(words []string) string {
	parts := make([]string, 0, len(words))
	for _, w := range words {
		if w = clean(w); w != "" {
			parts = append(parts, w+":*")
		}
	}
	return strings.Join(parts, " & ")
}

// clean keeps only letters and digits, so no query syntax can get through.
func clean(w string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r > 127 && unicode.IsLetter(r) {
			return r
		}
		return -1
	}, w)
}
