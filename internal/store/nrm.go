package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"alliance/internal/domain"
)

// InsertNRM stores n with its exploitation types in tx, filling its ID,
// reference and times.
func (s *Store) InsertNRM(ctx context.Context, tx *sql.Tx, n *domain.NRMReferral) error {
	if n.ID == "" {
		n.ID = s.NewID()
	}
	if n.CreatedAt.IsZero() {
		n.CreatedAt = s.Now()
	}
	n.UpdatedAt = n.CreatedAt
	if n.Reference == "" {
		num, err := s.nextNumber(ctx, tx, n.PartnershipID, "nrm")
		if err != nil {
			return err
		}
		n.Reference = fmt.Sprintf("%s-%d-%06d", strings.ToUpper(n.Kind), n.ReferredOn.Year(), num)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO nrm_referral (id, partnership_id, reference, kind, subject_name, age_at_exploitation, gender,
		nationality, county_lines, competent_authority, referred_on, rg_decision, rg_on, cg_decision, cg_on, reconsideration, agency_id,
		created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)`,
		n.ID, n.PartnershipID, n.Reference, n.Kind, n.SubjectName, n.AgeAtExploitation, n.Gender, n.Nationality, n.CountyLines,
		n.CompetentAuthority, isoDay(n.ReferredOn), n.RGDecision, dayArg(n.RGOn), n.CGDecision, dayArg(n.CGOn), n.Reconsideration,
		n.AgencyID, n.CreatedBy, n.CreatedAt, n.UpdatedAt)
	if err != nil {
		return s.mapInsertErr(fmt.Errorf("store: insert NRM referral: %w", err), "NRM referral")
	}
	for _, t := range n.ExploitationTypes {
		if _, err := tx.ExecContext(ctx, `INSERT INTO nrm_exploitation (nrm_id, type) VALUES ($1, $2)`, n.ID, t); err != nil {
			return fmt.Errorf("store: NRM exploitation type: %w", err)
		}
	}
	return nil
}

// UpdateNRMDecisions writes the RG and CG decisions and reconsideration.
func (s *Store) UpdateNRMDecisions(ctx context.Context, tx *sql.Tx, n *domain.NRMReferral) error {
	n.UpdatedAt = s.Now()
	_, err := tx.ExecContext(ctx, `UPDATE nrm_referral SET rg_decision = $2, rg_on = $3, cg_decision = $4, cg_on = $5, reconsideration = $6,
		updated_at = $7 WHERE id = $1`, n.ID, n.RGDecision, dayArg(n.RGOn), n.CGDecision, dayArg(n.CGOn), n.Reconsideration, n.UpdatedAt)
	if err != nil {
		return fmt.Errorf("store: update NRM decisions: %w", err)
	}
	return nil
}

// NRMQuery lists NRM referrals behind the referrals' firewall:
// coordinators read the partnership's, anyone else those they made.
type NRMQuery struct {
	s     *Store
	args  Args
	conds []string
}

// NewNRMQuery starts a query for actor.
func (s *Store) NewNRMQuery(actor domain.Actor) *NRMQuery {
	q := &NRMQuery{s: s}
	cond := "n.partnership_id = " + q.args.Add(actor.PartnershipID)
	if !actor.Has(domain.RoleReferralCoordinator) {
		cond += " AND n.created_by = " + q.args.Add(actor.UserID)
	}
	q.conds = append(q.conds, "("+cond+")")
	return q
}

// WithID limits the query to one referral.
func (q *NRMQuery) WithID(id string) *NRMQuery {
	q.conds = append(q.conds, idIn("n.id", []string{id}, &q.args))
	return q
}

// Between limits the query to referrals made from from up to to.
func (q *NRMQuery) Between(from, to time.Time) *NRMQuery {
	q.conds = append(q.conds, "n.referred_on >= "+q.args.Add(isoDay(from))+" AND n.referred_on < "+q.args.Add(isoDay(to)))
	return q
}

// List returns the referrals, the most recent first (limit ≤ 0: all),
// each with its exploitation types.
func (q *NRMQuery) List(ctx context.Context, limit int) ([]domain.NRMReferral, error) {
	args := q.args
	query := `SELECT n.id, n.partnership_id, n.reference, n.kind, n.subject_name, n.age_at_exploitation, n.gender, n.nationality,
		n.county_lines, n.competent_authority, n.referred_on, n.rg_decision, n.rg_on, n.cg_decision, n.cg_on, n.reconsideration,
		n.agency_id, a.name, n.created_by, u.display_name, n.created_at, n.updated_at
		FROM nrm_referral n JOIN agency a ON a.id = n.agency_id JOIN app_user u ON u.id = n.created_by
		WHERE ` + strings.Join(q.conds, " AND ") + ` ORDER BY n.referred_on DESC, n.reference DESC`
	if limit > 0 {
		query += ` LIMIT ` + args.Add(limit)
	}
	list, err := collect(ctx, q.s.rdb, "list NRM referrals", query, args.Values(), func(r *sql.Rows) (domain.NRMReferral, error) {
		var n domain.NRMReferral
		var ref, rg, cg sql.NullString
		err := r.Scan(&n.ID, &n.PartnershipID, &n.Reference, &n.Kind, &n.SubjectName, &n.AgeAtExploitation, &n.Gender, &n.Nationality,
			&n.CountyLines, &n.CompetentAuthority, &ref, &n.RGDecision, &rg, &n.CGDecision, &cg, &n.Reconsideration, &n.AgencyID,
			&n.AgencyName, &n.CreatedBy, &n.CreatedByName, &n.CreatedAt, &n.UpdatedAt)
		if d := day(ref); d != nil {
			n.ReferredOn = *d
		}
		n.RGOn, n.CGOn = day(rg), day(cg)
		return n, err
	})
	if err != nil || len(list) == 0 {
		return list, err
	}
	// Their exploitation types, read in one statement per 500.
	at := make(map[string]int, len(list))
	ids := make([]string, len(list))
	for i, n := range list {
		at[n.ID], ids[i] = i, n.ID
	}
	for start := 0; start < len(ids); start += 500 {
		var targs Args
		cond := idIn("nrm_id", ids[start:min(start+500, len(ids))], &targs)
		type row struct{ id, typ string }
		rows, err := collect(ctx, q.s.rdb, "NRM exploitation types", `SELECT nrm_id, type FROM nrm_exploitation WHERE `+cond+` ORDER BY type`,
			targs.Values(), func(r *sql.Rows) (row, error) { var x row; err := r.Scan(&x.id, &x.typ); return x, err })
		if err != nil {
			return nil, err
		}
		for _, x := range rows {
			i := at[x.id]
			list[i].ExploitationTypes = append(list[i].ExploitationTypes, x.typ)
		}
	}
	return list, nil
}
