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
	// Small, when above 0, is how many disruptions the last partnership
	// gets (a small one); the others between the first and the last share
	// the rest evenly.
	Small int
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
// their agency. Each partnership is one transaction (store.BulkTx): its
// disruptions written a batch at a time, each table's rows together, and
// its performance roll-up counted once at the end.
func Disruptions(ctx context.Context, st *store.Store, opts DisruptionOptions) (DisruptionStats, error) {
	var stats DisruptionStats
	if opts.Batch <= 0 {
		opts.Batch = 5000
	}
	if opts.Years <= 0 {
		opts.Years = 1
	}
	rng := rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x51ed2701))
	parts, err := synthParts(ctx, st, opts, rng)
	if err != nil {
		return stats, err
	}
	start := opts.From.Start()
	span := int(domain.FiscalYear(int(opts.From)+opts.Years).Start().Sub(start).Hours() / 24)
	n := 0
	written := map[string]int{} // tidied once, at the end
	for pi, p := range parts {
		want := shareOf(opts, pi, len(parts), n)
		// One transaction a partnership: its disruptions written a batch
		// at a time, each table's rows together (COPY on PostgreSQL), and
		// its figures counted once at the end.
		err := st.BulkTx(ctx, p.id, func(ctx context.Context, tx *sql.Tx, b *store.Bulk) error {
			b.TidyLater(written)
			if err := b.WidenCache(ctx); err != nil {
				return err
			}
			for done := 0; done < want; {
				batch := make([]domain.Disruption, 0, min(opts.Batch, want-done))
				for range cap(batch) {
					n++
					d := synthDisruption(st, rng, &p, n, start, span, opts.OutcomesPer)
					stats.Outcomes += int64(len(d.Outcomes))
					batch = append(batch, d)
				}
				if err := b.LoadDisruptions(ctx, batch); err != nil {
					return fmt.Errorf("generate: disruptions: %w", err)
				}
				done += len(batch)
				stats.Disruptions += int64(len(batch))
			}
			if err := b.RollUp(ctx); err != nil {
				return fmt.Errorf("generate: performance roll-up: %w", err)
			}
			return nil
		})
		if err != nil {
			return stats, err
		}
		acts, err := synthActivities(ctx, st, rng, pi, &p, start, span)
		if err != nil {
			return stats, err
		}
		stats.Activities += int64(acts)
	}
	return stats, st.TidyAfterBulk(ctx, written)
}

// shareOf is how many disruptions partnership pi of parts gets when n
// are written already.
func shareOf(opts DisruptionOptions, pi, parts, n int) int {
	regional := int(float64(opts.Total) * opts.Share)
	small := min(max(opts.Small, 0), opts.Total-regional)
	switch {
	case pi == 0:
		return regional
	case pi == parts-1:
		return opts.Total - n
	case small > 0 && pi == parts-2:
		return opts.Total - n - small
	case small > 0:
		return (opts.Total - regional - small) / max(1, parts-2)
	}
	return (opts.Total - regional) / max(1, parts-1)
}

// synthPart is a synthetic partnership as Disruptions fills it: the units
// disruptions happen in, its agencies, the user who records them, and the
// groups and people of its register they may be about.
type synthPart struct {
	id             string
	units          []string
	agency         []domain.Agency
	user           string
	groups, people []string
}

// synthParts reads the synthetic partnerships Run wrote, giving each a
// register of opts.GroupsPer groups (and five times as many people) when
// asked.
func synthParts(ctx context.Context, st *store.Store, opts DisruptionOptions, rng *rand.Rand) ([]synthPart, error) {
	var parts []synthPart
	for pi := 1; ; pi++ {
		p, err := st.PartnershipBySlug(ctx, fmt.Sprintf("synthetic-%03d", pi))
		if err != nil {
			break
		}
		x := synthPart{id: p.ID}
		units, err := st.OrgUnits(ctx, p.ID, "")
		if err != nil {
			return nil, err
		}
		for _, u := range units {
			if u.Level == domain.LevelWard || (u.Level == domain.LevelDistrict && rng.IntN(4) == 0) {
				x.units = append(x.units, u.ID)
			}
		}
		if x.agency, err = st.Agencies(ctx, p.ID); err != nil {
			return nil, err
		}
		if x.user, err = st.FirstUserID(ctx, p.ID); err != nil {
			return nil, fmt.Errorf("generate: a user of %s: %w", p.Slug, err)
		}
		if opts.GroupsPer > 0 {
			if err := synthRegister(ctx, st, &x, p.Slug, opts.GroupsPer, opts.Seed+uint64(pi)); err != nil {
				return nil, err
			}
		}
		parts = append(parts, x)
	}
	if len(parts) == 0 {
		return nil, fmt.Errorf("generate: no synthetic partnerships: run Run first")
	}
	return parts, nil
}

// synthRegister writes x's register: groups and people (mostly
// OFFICIAL-SENSITIVE, one in a hundred restricted) for disruptions to be
// about, originated by a police agency; and reads their IDs back.
func synthRegister(ctx context.Context, st *store.Store, x *synthPart, slug string, groups int, seed uint64) error {
	var police domain.Agency
	for _, ag := range x.agency {
		if ag.Type == domain.AgencyPolice {
			police = ag
			break
		}
	}
	if police.ID == "" {
		return fmt.Errorf("generate: %s has no police agency", slug)
	}
	if _, err := Register(ctx, st, x.id, police.ID, x.user, groups*5, groups, seed); err != nil {
		return err
	}
	var err error
	if x.groups, err = st.OCGIDs(ctx, x.id); err != nil {
		return fmt.Errorf("generate: register of %s: %w", slug, err)
	}
	if x.people, err = st.EntityIDs(ctx, x.id, domain.EntityPerson); err != nil {
		return fmt.Errorf("generate: register of %s: %w", slug, err)
	}
	return nil
}

var (
	synthTactics = []string{"arrest", "charge", "warrant", "search", "seizure", "safeguarding_visit", "closure_order", "licence_review", "tax_action", "vehicle_action"}
	synthThreats = []string{"drugs", "county_lines", "modern_slavery", "firearms", "fraud", "money_laundering", "burglary", "acquisitive_crime", "gangs_violence"}
	synthCounts  = []string{"arrests", "charges", "warrants", "searches", "adults_safeguarded", "children_safeguarded", "firearms", "convictions", "civil_orders", "nrm_referrals"}
	synthSeizure = []string{"cash_poca", "cash_non_poca", "cash_pace", "vehicle", "property"}
)

// synthDisruption returns the nth disruption, of p, on a day in the span
// days from start, with about outcomesPer outcomes.
func synthDisruption(st *store.Store, rng *rand.Rand, p *synthPart, n int, start time.Time, span, outcomesPer int) domain.Disruption {
	lead := p.agency[rng.IntN(len(p.agency))]
	on := start.AddDate(0, 0, rng.IntN(span))
	d := domain.Disruption{ID: st.NewID(), Reference: fmt.Sprintf("SYN-%07d", n), Subject: domain.SubjectTheme, Theme: "Synthetic theme",
		FourP: domain.FourPs[rng.IntN(4)], Impact: domain.Impacts[rng.IntN(5)], Rationale: "Synthetic", On: on,
		UnitID: p.units[rng.IntN(len(p.units))], LeadAgencyID: lead.ID, Status: domain.DisruptionValidated, CreatedBy: p.user,
		Threats: []string{synthThreats[rng.IntN(len(synthThreats))]}, Tactics: []string{synthTactics[rng.IntN(len(synthTactics))], synthTactics[rng.IntN(len(synthTactics))]},
		Marking:   domain.Marking{PartnershipID: p.id, OriginAgencyID: lead.ID, Classification: domain.Official, Handling: domain.HandlingP},
		CreatedAt: on.Add(10 * time.Hour)}
	d.Tactics = uniqueStrings(d.Tactics)
	// Half about a group, a sixth about a person, the rest a theme or
	// place.
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
	switch rng.IntN(10) {
	case 0:
		d.Status = []domain.DisruptionStatus{domain.DisruptionDraft, domain.DisruptionSubmitted, domain.DisruptionReturned, domain.DisruptionWithdrawn}[rng.IntN(4)]
	default:
		d.ValidatedFourP, d.ValidatedImpact = d.FourP, d.Impact
	}
	if rng.IntN(3) == 0 {
		if ag := p.agency[rng.IntN(len(p.agency))]; ag.ID != lead.ID {
			d.Agencies = []string{ag.ID}
		}
	}
	for range rng.IntN(2*outcomesPer + 1) {
		o := domain.Outcome{Type: synthCounts[rng.IntN(len(synthCounts))], Quantity: 1 + rng.IntN(4)}
		switch rng.IntN(6) {
		case 0:
			o = domain.Outcome{Type: "seizure", SeizureType: synthSeizure[rng.IntN(len(synthSeizure))], Quantity: 1, ValuePence: int64(100+rng.IntN(50000)) * 100}
			if len(d.Agencies) > 0 && rng.IntN(2) == 0 {
				o.AgencyID = d.Agencies[0] // seized by the supporting agency
			}
		case 1:
			o = domain.Outcome{Type: "custodial_sentence", Quantity: 1, Months: 6 + rng.IntN(120)}
		}
		d.Outcomes = append(d.Outcomes, o)
	}
	return d
}

// synthActivities writes a few dozen activities of p (the pi-th), some
// open, opened on days in the span from start, and returns how many.
func synthActivities(ctx context.Context, st *store.Store, rng *rand.Rand, pi int, p *synthPart, start time.Time, span int) (int, error) {
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
		return 0, fmt.Errorf("generate: activities: %w", err)
	}
	return len(acts), nil
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
