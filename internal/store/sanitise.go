package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"alliance/internal/domain"
	"alliance/internal/store/dialect"
)

// WithSanitisedFrom keeps the sanitised versions of the original id.
func (q *InfoReportQuery) WithSanitisedFrom(id string) *InfoReportQuery {
	q.conds = append(q.conds, idIn("r.sanitised_from", []string{id}, &q.args))
	return q
}

// Dissemination is one recipient a sanitised version was sent to.
type Dissemination struct {
	ReportID   string
	AgencyID   string
	AgencyName string
	AgencyType domain.AgencyType
	ISAID      string
	ISARef     string
	Purpose    string
	ActorName  string
	At         time.Time
}

// Disseminate adds recipients (agencies or agency types) to a sanitised
// version's handling conditions, so the policy lets them read it, and
// records each dissemination, in tx.
func (s *Store) Disseminate(ctx context.Context, tx *sql.Tx, partnershipID string, list []Dissemination, actorID string) error {
	var conds, rows [][]any
	for _, d := range list {
		var agency, typ any
		if d.AgencyID != "" {
			agency = d.AgencyID
		} else {
			typ = string(d.AgencyType)
		}
		conds = append(conds, []any{partnershipID, d.ReportID, agency, typ})
		rows = append(rows, []any{s.NewID(), partnershipID, d.ReportID, agency, typ, d.ISAID, d.Purpose, actorID, d.At})
	}
	if err := dialect.InsertRows(ctx, s.d, tx, "record_condition", []string{"partnership_id", "record_id", "agency_id", "agency_type"}, conds); err != nil {
		return fmt.Errorf("store: dissemination conditions: %w", err)
	}
	if err := dialect.InsertRows(ctx, s.d, tx, "dissemination", []string{"id", "partnership_id", "report_id", "agency_id", "agency_type", "isa_id",
		"purpose", "actor_id", "at"}, rows); err != nil {
		return fmt.Errorf("store: disseminations: %w", err)
	}
	return nil
}

// Disseminations lists to whom a report was disseminated, oldest first.
// The caller must already have been allowed to see the report.
func (s *Store) Disseminations(ctx context.Context, reportID string) ([]Dissemination, error) {
	return collect(ctx, s.rdb, "disseminations", `SELECT CAST(d.report_id AS text), COALESCE(CAST(d.agency_id AS text), ''), COALESCE(a.name, ''),
		COALESCE(d.agency_type, ''), CAST(d.isa_id AS text), i.reference, d.purpose, u.display_name, d.at
		FROM dissemination d JOIN isa i ON i.id = d.isa_id JOIN app_user u ON u.id = d.actor_id LEFT JOIN agency a ON a.id = d.agency_id
		WHERE d.report_id = $1 ORDER BY d.at, a.name, d.agency_type`, []any{reportID}, func(r *sql.Rows) (Dissemination, error) {
		var d Dissemination
		var typ string
		err := r.Scan(&d.ReportID, &d.AgencyID, &d.AgencyName, &typ, &d.ISAID, &d.ISARef, &d.Purpose, &d.ActorName, &d.At)
		d.AgencyType, d.At = domain.AgencyType(typ), d.At.UTC()
		return d, err
	})
}

// LinkedTo keeps the reports linked to the group or entity nodeID.
func (q *InfoReportQuery) LinkedTo(nodeID string) *InfoReportQuery {
	q.conds = append(q.conds, "EXISTS (SELECT 1 FROM report_link l WHERE l.report_id = r.id AND "+idIn("l.node_id", []string{nodeID}, &q.args)+")")
	return q
}

// ReportLink is one record a report concerns.
type ReportLink struct {
	Kind domain.NodeKind
	ID   string
}

// InsertReportLink links a report to a group or entity, in tx; linking
// twice changes nothing. It reports whether the link is new.
func (s *Store) InsertReportLink(ctx context.Context, tx *sql.Tx, partnershipID, reportID string, l ReportLink, by string) (bool, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO report_link (partnership_id, report_id, node_kind, node_id, created_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (report_id, node_kind, node_id) DO NOTHING`, partnershipID, reportID, string(l.Kind), l.ID, by, s.Now())
	if err != nil {
		return false, fmt.Errorf("store: link report: %w", err)
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// ReportLinks lists what a report is linked to, in the order linked. The
// caller must filter the ends by what the viewer may see.
func (s *Store) ReportLinks(ctx context.Context, reportID string) ([]ReportLink, error) {
	return collect(ctx, s.rdb, "report links", `SELECT node_kind, CAST(node_id AS text) FROM report_link WHERE report_id = $1 ORDER BY created_at, node_id`,
		[]any{reportID}, func(r *sql.Rows) (ReportLink, error) {
			var l ReportLink
			var k string
			err := r.Scan(&k, &l.ID)
			l.Kind = domain.NodeKind(k)
			return l, err
		})
}
