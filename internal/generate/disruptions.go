package generate

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"time"

	"alliance/internal/domain"
	"alliance/internal/store"
)

// DisruptionStats count what Disruptions wrote.
type DisruptionStats struct {
	Disruptions, Outcomes, Activities int64
}

// DisruptionOptions size a disruption run.
type DisruptionOptions struct {
	// Total is how many disruptions to write across the partnerships; the
	// first partnership gets Share of them (a regional one), the rest
	// evenly.
	Total int
	Share float64
	// OutcomesPer is the mean number of outcomes a disruption has.
	OutcomesPer int
	// From and Years: the disruptions are dated over Years financial
	// years starting with From.
	From  domain.FiscalYear
	Years int
	Seed  uint64
	Batch int
	// GroupsPer, when above 0, gives every partnership that many groups
	// and five times as many people in its register, and makes half the
	// disruptions about a group and a sixth about a person.
	GroupsPer int
}

// Disruptions writes synthetic disruptions with outcomes, agencies, tactics
// and threats into every partnership whose slug starts "synthetic-", as
// written by Run: nine in ten validated, the rest in the other states;
// mostly OFFICIAL handled P, some OFFICIAL-SENSITIVE, a few restricted to
// their agency. Each batch is its own transaction; each partnership's
// performance roll-up is counted once its batches are written.
func Disruptions(ctx context.Context, st *store.Store, opts DisruptionOptions) (DisruptionStats, error) {
	var stats DisruptionStats
	if opts.Batch <= 0 {
		opts.Batch = 5000
	}
	if opts.Years <= 0 {
		opts.Years = 1
	}
	rng := rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x51ed2701))
	type part struct {
		id             string
		units          []string
		agency         []domain.Agency
		user           string
		groups, people []string
	}
	var parts []part
	for pi := 1; ; pi++ {
		p, err := st.PartnershipBySlug(ctx, fmt.Sprintf("synthetic-%03d", pi))
		if err != nil {
			break
		}
		x := part{id: p.ID}
		units, err := st.OrgUnits(ctx, p.ID, "")
		if err != nil {
			return stats, err
		}
		for _, u := range units {
			if u.Level == domain.LevelWard || (u.Level == domain.LevelDistrict && rng.IntN(4) == 0) {
				x.units = append(x.units, u.ID)
			}
		}
		if x.agency, err = st.Agencies(ctx, p.ID); err != nil {
			return stats, err
		}
		if err := st.Reader().QueryRowContext(ctx, `SELECT CAST(id AS text) FROM app_user WHERE partnership_id = $1 ORDER BY id LIMIT 1`, p.ID).Scan(&x.user); err != nil {
			return stats, fmt.Errorf("generate: a user of %s: %w", p.Slug, err)
		}
		if opts.GroupsPer > 0 {
			// The partnership's register: groups and people (mostly
			// OFFICIAL-SENSITIVE, one in a hundred restricted) for
			// disruptions to be about, originated by a police agency.
			var police domain.Agency
			for _, ag := range x.agency {
				if ag.Type == domain.AgencyPolice {
					police = ag
					break
				}
			}
			if police.ID == "" {
				return stats, fmt.Errorf("generate: %s has no police agency", p.Slug)
			}
			if _, err := Register(ctx, st, p.ID, police.ID, x.user, opts.GroupsPer*5, opts.GroupsPer, opts.Seed+uint64(pi)); err != nil {
				return stats, err
			}
			for _, q := range []struct {
				sql  string
				into *[]string
			}{{`SELECT CAST(id AS text) FROM ocg WHERE partnership_id = $1 ORDER BY id`, &x.groups},
				{`SELECT CAST(id AS text) FROM entity WHERE partnership_id = $1 AND kind = 'person' ORDER BY id`, &x.people}} {
				rows, err := st.Reader().QueryContext(ctx, q.sql, p.ID)
				if err != nil {
					return stats, fmt.Errorf("generate: register of %s: %w", p.Slug, err)
				}
				for rows.Next() {
					var id string
					if err := rows.Scan(&id); err != nil {
						rows.Close()
						return stats, fmt.Errorf("generate: register of %s: %w", p.Slug, err)
					}
					*q.into = append(*q.into, id)
				}
				err = rows.Err()
				rows.Close()
				if err != nil {
					return stats, fmt.Errorf("generate: register of %s: %w", p.Slug, err)
				}
			}
		}
		parts = append(parts, x)
	}
	if len(parts) == 0 {
		return stats, fmt.Errorf("generate: no synthetic partnerships: run Run first")
	}
	tactics := []string{"arrest", "charge", "warrant", "search", "seizure", "safeguarding_visit", "closure_order", "licence_review", "tax_action", "vehicle_action"}
	threats := []string{"drugs", "county_lines", "modern_slavery", "firearms", "fraud", "money_laundering", "burglary", "acquisitive_crime", "gangs_violence"}
	counts := []string{"arrests", "charges", "warrants", "searches", "adults_safeguarded", "children_safeguarded", "firearms", "convictions", "civil_orders", "nrm_referrals"}
	seizures := []string{"cash_poca", "cash_non_poca", "cash_pace", "vehicle", "property"}
	start := opts.From.Start()
	span := int(domain.FiscalYear(int(opts.From)+opts.Years).Start().Sub(start).Hours() / 24)
	n := 0
	for pi, p := range parts {
		want := (opts.Total - int(float64(opts.Total)*opts.Share)) / max(1, len(parts)-1)
		if pi == 0 {
			want = int(float64(opts.Total) * opts.Share)
		}
		if pi == len(parts)-1 {
			want = opts.Total - n
		}
		for done := 0; done < want; {
			batch := make([]domain.Disruption, 0, min(opts.Batch, want-done))
			for range cap(batch) {
				n++
				lead := p.agency[rng.IntN(len(p.agency))]
				on := start.AddDate(0, 0, rng.IntN(span))
				d := domain.Disruption{ID: st.NewID(), Reference: fmt.Sprintf("SYN-%07d", n), Subject: domain.SubjectTheme, Theme: "Synthetic theme",
					FourP: domain.FourPs[rng.IntN(4)], Impact: domain.Impacts[rng.IntN(5)], Rationale: "Synthetic", On: on,
					UnitID: p.units[rng.IntN(len(p.units))], LeadAgencyID: lead.ID, Status: domain.DisruptionValidated, CreatedBy: p.user,
					Threats: []string{threats[rng.IntN(len(threats))]}, Tactics: []string{tactics[rng.IntN(len(tactics))], tactics[rng.IntN(len(tactics))]},
					Marking:   domain.Marking{PartnershipID: p.id, OriginAgencyID: lead.ID, Classification: domain.Official, Handling: domain.HandlingP},
					CreatedAt: on.Add(10 * time.Hour)}
				d.Tactics = uniqueStrings(d.Tactics)
				// Half about a group, a sixth about a person, the rest a
				// theme or place.
				switch r := rng.IntN(6); {
				case r < 3 && len(p.groups) > 0:
					d.Subject, d.Theme, d.OCGID = domain.SubjectOCG, "", p.groups[rng.IntN(len(p.groups))]
				case r == 3 && len(p.people) > 0:
					d.Subject, d.Theme, d.EntityID = domain.SubjectIndividual, "", p.people[rng.IntN(len(p.people))]
				}
				switch r := rng.IntN(100); {
				case r < 12:
					d.Marking.Classification = domain.OfficialSensitive
				case r < 15:
					d.Marking.Restricted, d.Marking.NamedAgencies = true, []string{lead.ID}
				}
				switch r := rng.IntN(10); {
				case r == 0:
					d.Status = []domain.DisruptionStatus{domain.DisruptionDraft, domain.DisruptionSubmitted, domain.DisruptionReturned, domain.DisruptionWithdrawn}[rng.IntN(4)]
				default:
					d.ValidatedFourP, d.ValidatedImpact = d.FourP, d.Impact
				}
				if rng.IntN(3) == 0 {
					if ag := p.agency[rng.IntN(len(p.agency))]; ag.ID != lead.ID {
						d.Agencies = []string{ag.ID}
					}
				}
				for range rng.IntN(2*opts.OutcomesPer + 1) {
					o := domain.Outcome{Type: counts[rng.IntN(len(counts))], Quantity: 1 + rng.IntN(4)}
					switch rng.IntN(6) {
					case 0:
						o = domain.Outcome{Type: "seizure", SeizureType: seizures[rng.IntN(len(seizures))], Quantity: 1, ValuePence: int64(100+rng.IntN(50000)) * 100}
					case 1:
						o = domain.Outcome{Type: "custodial_sentence", Quantity: 1, Months: 6 + rng.IntN(120)}
					}
					d.Outcomes = append(d.Outcomes, o)
				}
				stats.Outcomes += int64(len(d.Outcomes))
				batch = append(batch, d)
			}
			if err := st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error { return st.LoadDisruptions(ctx, tx, batch) }); err != nil {
				return stats, fmt.Errorf("generate: disruptions: %w", err)
			}
			done += len(batch)
			stats.Disruptions += int64(len(batch))
		}
		// The partnership's figures, counted once over all its batches.
		if err := st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error { return st.RebuildRollup(ctx, tx, p.id) }); err != nil {
			return stats, fmt.Errorf("generate: performance roll-up: %w", err)
		}
		// A few dozen activities, some open.
		acts := make([]domain.Activity, 0, 40)
		for i := range 40 {
			lead := p.agency[rng.IntN(len(p.agency))]
			opened := start.AddDate(0, 0, rng.IntN(span))
			a := domain.Activity{ID: st.NewID(), Reference: fmt.Sprintf("SYN-ACT-%03d-%03d", pi+1, i+1), Title: "Synthetic operation", Kind: "operation",
				LeadAgencyID: lead.ID, OpenedOn: opened, CreatedBy: p.user,
				Marking: domain.Marking{PartnershipID: p.id, OriginAgencyID: lead.ID, Classification: domain.Official, Handling: domain.HandlingP}}
			if rng.IntN(4) > 0 {
				c := opened.AddDate(0, 1+rng.IntN(8), 0)
				a.ClosedOn = &c
			}
			acts = append(acts, a)
		}
		if err := st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error { return st.InsertActivities(ctx, tx, acts) }); err != nil {
			return stats, fmt.Errorf("generate: activities: %w", err)
		}
		stats.Activities += int64(len(acts))
	}
	return stats, nil
}

func uniqueStrings(list []string) []string {
	var out []string
	for _, s := range list {
		dup := false
		for _, o := range out {
			dup = dup || o == s
		}
		if !dup {
			out = append(out, s)
		}
	}
	return out
}
