package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"alliance/internal/audit"
	"alliance/internal/domain"
)

// The demo's disruptions reproduce the seed slide "23/24 SOC Disruptions":
// in 2023/24, 257 validated disruptions, 111 adults and 23 children
// safeguarded, 5 activity records open at 31 March 2024, 136 warrants, 52
// years of custodial sentences, and North Yorkshire Police's "Cash Seizure
// (Non-POCA)" 7 worth £68,765 and "Other Seizures – Cash (PACE)" 21 worth
// £118,741. Around them are records the figures must not count: drafts,
// submissions waiting for the panel, returned and withdrawn disruptions,
// and validated ones either side of the year. 2022/23 (a little quieter,
// so that the seed year's "a year earlier" figures are not 0), 2024/25,
// 2025/26 and the current year have their own plausible figures, so trends
// mean something.
// Every figure comes out of these records through the code every
// partnership uses.

// disruptionSeed seeds the disruptions' random choices.
const disruptionSeed = 20230401

// demoGroup is what the disruptions need to know of a demo group.
type demoGroup struct {
	id, name, threat, district string
	proposed, archiveOn        time.Time
	fate                       string
}

// The seed slide's 2023/24 figures.
const (
	seedDisruptions     = 257
	seedAdults          = 111
	seedChildren        = 23
	seedOpenActivities  = 5
	seedWarrants        = 136
	seedSentenceMonths  = 52 * 12
	seedNonPOCACount    = 7
	seedNonPOCAPence    = 68765 * 100
	seedPACECount       = 21
	seedPACEPence       = 118741 * 100
	seedSentencedPeople = 23
)

// yearPlan is how many validated disruptions a financial year has and the
// totals its outcomes are spread to.
type yearPlan struct {
	fy                                     domain.FiscalYear
	n, adults, children, warrants, months  int
	sentenced, nonPOCA, pace               int
	nonPOCAPence, pacePence                int64
	drafts, submitted, returned, withdrawn int
}

// split divides total into n parts, each at least least, at random.
func split(rng *rand.Rand, total, n, least int) []int {
	if n <= 0 {
		return nil
	}
	out := make([]int, n)
	rest := total - n*least
	for i := range out {
		out[i] = least
	}
	for ; rest > 0; rest-- {
		out[rng.IntN(n)]++
	}
	return out
}

// splitPence divides total pence into n whole-pound parts of at least £50.
func splitPence(rng *rand.Rand, total int64, n int) []int64 {
	pounds := split(rng, int(total/100), n, 50)
	out := make([]int64, n)
	for i, p := range pounds {
		out[i] = int64(p) * 100
	}
	return out
}

// recorder is a demo user who records disruptions, and how often (in
// percent) they are the one who does.
type recorder struct {
	actor  domain.Actor
	weight int
}

// disruptionRun writes the demo's disruptions: their activities, the
// records and their decisions, gathered year by year and written together.
type disruptionRun struct {
	*regBuilder
	shared      *rand.Rand // the draws of the seed year and the years after it
	nyp, hmrc   domain.Agency
	panel       []domain.Actor
	recorders   []recorder
	cur         domain.FiscalYear
	wards       []string // the town wards disruptions are reported at
	activities  []domain.Activity
	disruptions []domain.Disruption
	decisions   []domain.DisruptionDecision
	decided     []int // index in disruptions of each decision
}

// disruptionThreats are the threats of disruptions against a theme.
var disruptionThreats = []string{"county_lines", "drugs", "drugs", "county_lines", "modern_slavery", "firearms", "fraud", "money_laundering", "burglary", "acquisitive_crime"}

func (r *regBuilder) disruptions(ctx context.Context) error {
	run, err := r.newDisruptionRun()
	if err != nil {
		return err
	}
	for _, plan := range run.yearPlans() {
		if err := run.year(plan); err != nil {
			return err
		}
	}
	return run.write(ctx)
}

// newDisruptionRun checks that the recorders and the panel are demo users.
func (r *regBuilder) newDisruptionRun() (*disruptionRun, error) {
	run := &disruptionRun{regBuilder: r, shared: rand.New(rand.NewPCG(disruptionSeed, disruptionSeed)), nyp: r.agency["NYP"], hmrc: r.agency["HMRC"],
		panel: []domain.Actor{r.actor("panel@nyp.example"), r.actor("panel@nyc.example"), r.actor("panel@nyfrs.example")},
		recorders: []recorder{{r.actor("analyst@nyp.example"), 55}, {r.actor("analyst2@nyp.example"), 15}, {r.actor("officer@nyc.example"), 8},
			{r.actor("officer@york.example"), 6}, {r.actor("officer@hmrc.example"), 5}, {r.actor("officer@dwp.example"), 3},
			{r.actor("officer@broadacres.example"), 4}, {r.actor("officer@nyfrs.example"), 4}},
		cur: domain.FiscalYearOf(r.today)}
	for _, x := range run.recorders {
		if x.actor.UserID == "" || x.actor.AgencyID == "" {
			return nil, fmt.Errorf("demo: disruption recorder %s is not a demo user", x.actor.Email)
		}
	}
	for _, x := range run.panel {
		if x.UserID == "" || x.AgencyID == "" {
			return nil, fmt.Errorf("demo: panel member %s is not a demo user", x.Email)
		}
	}
	// Wards to report at: the town wards, weighted to where the groups are.
	for _, d := range districts {
		run.wards = append(run.wards, r.wards[d]...)
	}
	return run, nil
}

// pickRecorder draws who records a disruption, by their weights.
func (run *disruptionRun) pickRecorder(rng *rand.Rand) domain.Actor {
	n := rng.IntN(100)
	for _, x := range run.recorders {
		if n < x.weight {
			return x.actor
		}
		n -= x.weight
	}
	return run.recorders[0].actor
}

// yearPlans are the years the demo has disruptions in, with their figures.
func (run *disruptionRun) yearPlans() []yearPlan {
	cur := run.cur
	plans := []yearPlan{
		// The year before the seed slide, a little quieter, so that the
		// seed year's comparisons with a year earlier mean something.
		{fy: 2022, n: 236, adults: 94, children: 19, warrants: 118, months: 44*12 + 9, sentenced: 20, nonPOCA: 6, pace: 18,
			nonPOCAPence: 57420 * 100, pacePence: 102380 * 100, returned: 3, withdrawn: 2},
		{fy: 2023, n: seedDisruptions, adults: seedAdults, children: seedChildren, warrants: seedWarrants, months: seedSentenceMonths,
			sentenced: seedSentencedPeople, nonPOCA: seedNonPOCACount, pace: seedPACECount, nonPOCAPence: seedNonPOCAPence, pacePence: seedPACEPence,
			returned: 2, withdrawn: 2},
		{fy: 2024, n: 231, adults: 97, children: 31, warrants: 121, months: 47*12 + 6, sentenced: 21, nonPOCA: 9, pace: 17,
			nonPOCAPence: 81250 * 100, pacePence: 96400 * 100, returned: 3, withdrawn: 1},
		{fy: 2025, n: 268, adults: 124, children: 27, warrants: 142, months: 58*12 + 3, sentenced: 26, nonPOCA: 8, pace: 24,
			nonPOCAPence: 74300 * 100, pacePence: 131900 * 100, returned: 2, withdrawn: 2},
	}
	if cur > 2025 {
		// The current year so far, in proportion to the months gone.
		gone := int(run.today.Sub(cur.Start()).Hours()/24/30.4) + 1
		gone = min(gone, 12)
		plans = append(plans, yearPlan{fy: cur, n: 260 * gone / 12, adults: 110 * gone / 12, children: 26 * gone / 12, warrants: 135 * gone / 12,
			months: 50 * 12 * gone / 12, sentenced: max(1, 24*gone/12), nonPOCA: max(1, 8*gone/12), pace: max(1, 20*gone/12),
			nonPOCAPence: int64(70000*gone/12) * 100, pacePence: int64(110000*gone/12) * 100, drafts: 4, submitted: 9, returned: 2, withdrawn: 1})
	}
	return plans
}

// newActivity adds an activity of year fy against group g.
func (run *disruptionRun) newActivity(fy domain.FiscalYear, i int, opened time.Time, closed *time.Time, g demoGroup) domain.Activity {
	nyp := run.nyp
	a := domain.Activity{ID: run.s.NewID(), Title: "Operation " + operations[(int(fy)*7+i*5)%len(operations)], Kind: "operation", OCGID: g.id,
		LeadAgencyID: nyp.ID, OpenedOn: opened, ClosedOn: closed, CreatedBy: run.actor("analyst@nyp.example").UserID,
		Marking:   domain.Marking{PartnershipID: run.pid, OriginAgencyID: nyp.ID, Classification: domain.OfficialSensitive, Handling: domain.HandlingP},
		CreatedAt: opened.Add(10 * time.Hour)}
	if i%4 == 3 {
		a.Kind, a.Title = "intervention", "Intervention: "+[]string{"cuckooing safeguarding", "school inputs", "licensed premises", "HMO inspections"}[i%4]
	}
	run.activities = append(run.activities, a)
	return a
}

// yearRun is one financial year's draws: its random source, its days and
// the groups and people known in it.
type yearRun struct {
	plan       yearPlan
	rng        *rand.Rand
	start, end time.Time
	span       int // days
	groups     []demoGroup
	principals []struct{ group, person string }
}

// year adds the activities and disruptions of plan's year, and their
// outcomes.
func (run *disruptionRun) year(plan yearPlan) error {
	y := yearRun{plan: plan, rng: run.shared}
	if plan.fy < 2023 {
		// Years before the seed year draw from their own source, so the
		// seed year and the years after it keep the records (and every
		// figure) they had before the earlier year was added.
		y.rng = rand.New(rand.NewPCG(disruptionSeed, uint64(plan.fy)))
	}
	y.start, y.end = plan.fy.Start(), plan.fy.End()
	if y.end.After(run.today) {
		y.end = run.today
	}
	y.span = int(y.end.Sub(y.start).Hours()/24) + 1
	y.groups = slices.DeleteFunc(slices.Clone(run.groups), func(g demoGroup) bool {
		return g.proposed.After(y.end) || (!g.archiveOn.IsZero() && g.archiveOn.Before(y.start))
	})
	y.principals = run.principals
	if plan.fy < 2023 {
		// Only people of groups known in the year (the years from the
		// seed year on keep the draws they were published with).
		y.principals = slices.DeleteFunc(slices.Clone(y.principals), func(p struct{ group, person string }) bool {
			return !slices.ContainsFunc(y.groups, func(g demoGroup) bool { return g.id == p.group })
		})
	}
	acts := run.yearActivities(&y)
	total := plan.n + plan.drafts + plan.submitted + plan.returned + plan.withdrawn
	base := len(run.disruptions)
	for i := range total {
		d, by := run.draw(&y, i, acts)
		run.decide(&y, &d, i, by)
		run.disruptions = append(run.disruptions, d)
	}
	// Outcomes, spread over the validated disruptions of the year so the
	// totals are exactly the plan's; the rest get small figures the plan
	// does not cover (they are not counted).
	if plan.n == 0 {
		return nil
	}
	return run.outcomes(&y, base)
}

// yearActivities adds the year's 14 activities: in 2023/24 the seed's 5
// are open at its end.
func (run *disruptionRun) yearActivities(y *yearRun) []domain.Activity {
	plan, rng, start, end := y.plan, y.rng, y.start, y.end
	var acts []domain.Activity
	for i := range 14 {
		opened := start.AddDate(0, 0, rng.IntN(y.span*2/3))
		var closed *time.Time
		if i >= seedOpenActivities || plan.fy != 2023 {
			c := opened.AddDate(0, 1+rng.IntN(6), 0)
			if c.After(end) {
				c = end.AddDate(0, 0, -1)
			}
			if !c.After(opened) {
				c = opened.AddDate(0, 0, 1)
			}
			closed = &c
		} else if plan.fy == 2023 {
			// Open at 31 March 2024; some closed since.
			if i < 2 {
				c := time.Date(2024, time.June, 10+i, 0, 0, 0, 0, time.UTC)
				closed = &c
			}
		}
		if plan.fy < 2023 && i < 4 {
			// Open at 31 March 2023, closed early in 2023/24 (so
			// not counted open at its end).
			c := time.Date(2023, time.May, 3+i*17, 0, 0, 0, 0, time.UTC)
			closed = &c
		}
		if plan.fy == run.cur && i < 3 {
			closed = nil // still open today
		}
		if closed != nil && closed.After(run.today) {
			closed = nil
		}
		acts = append(acts, run.newActivity(plan.fy, i, opened, closed, y.groups[rng.IntN(len(y.groups))]))
	}
	return acts
}

// draw draws the year's i-th disruption as recorded: who, when, what, where
// and against whom. It returns it validated as recorded; decide sets its
// status.
func (run *disruptionRun) draw(y *yearRun, i int, acts []domain.Activity) (domain.Disruption, domain.Actor) {
	plan, rng, start := y.plan, y.rng, y.start
	by := run.pickRecorder(rng)
	on := start.AddDate(0, 0, rng.IntN(y.span))
	switch {
	case plan.fy == 2023 && i == 0:
		on = start // 1 April 2023 counts in 2023/24
	case plan.fy == 2023 && i == 1:
		on = time.Date(2024, time.March, 31, 0, 0, 0, 0, time.UTC) // and so does 31 March 2024
	}
	fp := []domain.FourP{domain.Pursue, domain.Pursue, domain.Pursue, domain.Pursue, domain.Pursue, domain.Pursue, domain.Protect, domain.Protect,
		domain.Prevent, domain.Prepare}[rng.IntN(10)]
	imp := []domain.Impact{domain.ImpactMajor, domain.ImpactModerate, domain.ImpactModerate, domain.ImpactModerate, domain.ImpactMinor,
		domain.ImpactMinor, domain.ImpactMinor, domain.ImpactMinor, domain.ImpactMinor, domain.ImpactNone}[rng.IntN(10)]
	if rng.IntN(60) == 0 {
		imp = domain.ImpactNegative
	}
	d := domain.Disruption{ID: run.s.NewID(), Subject: domain.SubjectOCG, FourP: fp, Impact: imp, On: on,
		UnitID: run.wards[rng.IntN(len(run.wards))], LeadAgencyID: by.AgencyID, CreatedBy: by.UserID,
		Marking:   domain.Marking{PartnershipID: run.pid, OriginAgencyID: by.AgencyID, Classification: domain.Official, Handling: domain.HandlingP},
		CreatedAt: on.Add(time.Duration(9+rng.IntN(8)) * time.Hour), Status: domain.DisruptionValidated}
	if now := run.s.Now(); d.CreatedAt.After(now) {
		d.CreatedAt = now
	}
	run.drawSubject(y, &d)
	if rng.IntN(12) == 0 {
		d.UnitID = run.district[districts[rng.IntN(len(districts))]] // no ward recorded
	}
	if rng.IntN(3) > 0 {
		a := acts[rng.IntN(len(acts))]
		if !a.OpenedOn.After(on) {
			d.ActivityID = a.ID
		}
	}
	for range rng.IntN(3) {
		if ag := run.recorders[rng.IntN(len(run.recorders))].actor.AgencyID; ag != d.LeadAgencyID && !slices.Contains(d.Agencies, ag) {
			d.Agencies = append(d.Agencies, ag)
		}
	}
	drawTactics(rng, &d, by)
	d.Narrative = fmt.Sprintf("%s against %s.", fp.Label(), map[bool]string{true: "the group", false: "the theme"}[d.OCGID != ""])
	return d, by
}

// drawSubject draws what d is against: mostly a group, sometimes a theme,
// sometimes one of a group's principals.
func (run *disruptionRun) drawSubject(y *yearRun, d *domain.Disruption) {
	rng, groups := y.rng, y.groups
	g := groups[rng.IntN(len(groups))]
	d.OCGID = g.id
	d.Threats = []string{g.threat}
	switch n := rng.IntN(20); {
	case n == 0:
		d.Subject, d.OCGID, d.Threats = domain.SubjectTheme, "", []string{disruptionThreats[rng.IntN(len(disruptionThreats))]}
		d.Theme = []string{"Cuckooed addresses in " + districts[rng.IntN(len(districts))], "Night-time economy", "Hand car washes", "Rail network county lines"}[rng.IntN(4)]
	case n < 4 && len(y.principals) > 0:
		p := y.principals[rng.IntN(len(y.principals))]
		d.Subject, d.EntityID, d.OCGID = domain.SubjectIndividual, p.person, p.group
		if y.plan.fy < 2023 {
			d.Threats = []string{groups[slices.IndexFunc(groups, func(g demoGroup) bool { return g.id == p.group })].threat}
		}
		d.Marking.Classification = domain.OfficialSensitive
	}
}

// drawTactics draws d's tactics and rationale by its strand, and the
// partner powers a partner agency's Pursue uses.
func drawTactics(rng *rand.Rand, d *domain.Disruption, by domain.Actor) {
	switch d.FourP {
	case domain.Pursue:
		d.Tactics = []string{"arrest", "warrant", "search", "seizure", "charge"}[:1+rng.IntN(5)]
		d.Rationale = []string{"Principal charged and remanded; the line has not run since.", "Significant nominal arrested and charged; supply interrupted for several weeks.",
			"Warrant executed at a cuckooed address; drugs and cash seized.", "Peripheral member arrested; limited effect on the group.",
			"Vehicle seized and driver reported; the group replaced it within days."}[rng.IntN(5)]
	case domain.Protect:
		d.Tactics = []string{"safeguarding_visit", "closure_order", "nrm_referral", "tenancy_enforcement"}[:1+rng.IntN(4)]
		d.Rationale = "Vulnerable adults and children safeguarded; the address was closed to the group."
	case domain.Prevent:
		d.Tactics = []string{"education_input", "civil_order"}[:1+rng.IntN(2)]
		d.Rationale = "Young people diverted; school inputs in the affected wards."
	default:
		d.Tactics = []string{"licence_review", "trading_standards", "tax_action", "benefit_action", "vehicle_action", "immigration_action"}[:1+rng.IntN(6)]
		d.Rationale = "Partner powers used against businesses the group relies on."
	}
	if by.AgencyType != domain.AgencyPolice && d.FourP == domain.Pursue {
		d.Tactics = []string{"tax_action", "benefit_action", "licence_review"}[:1+rng.IntN(3)]
	}
}

// decide sets the status of the year's i-th disruption d, recorded by by,
// and adds the decisions that brought it there: the first plan.n are
// validated; the rest are drafts, submissions, returned and withdrawn in
// that order.
func (run *disruptionRun) decide(y *yearRun, d *domain.Disruption, i int, by domain.Actor) {
	plan, rng := y.plan, y.rng
	k := i - plan.n
	switch {
	case k < 0:
	case k < plan.drafts:
		d.Status = domain.DisruptionDraft
	case k < plan.drafts+plan.submitted:
		d.Status = domain.DisruptionSubmitted
	case k < plan.drafts+plan.submitted+plan.returned:
		d.Status = domain.DisruptionReturned
	default:
		d.Status = domain.DisruptionWithdrawn
	}
	if d.Status != domain.DisruptionDraft {
		run.decision(domain.DisruptionDecision{From: domain.DisruptionDraft, To: domain.DisruptionSubmitted, ActorID: by.UserID,
			At: d.CreatedAt.Add(time.Hour)})
	}
	p := run.panel[rng.IntN(len(run.panel))]
	at := d.CreatedAt.AddDate(0, 0, 7+rng.IntN(21))
	if at.After(run.today) {
		at = run.today
	}
	switch d.Status {
	case domain.DisruptionValidated:
		d.ValidatedFourP, d.ValidatedImpact = d.FourP, d.Impact
		reason := ""
		if rng.IntN(10) == 0 {
			// The panel regrades one in ten.
			d.ValidatedImpact = map[domain.Impact]domain.Impact{domain.ImpactMajor: domain.ImpactModerate, domain.ImpactModerate: domain.ImpactMinor,
				domain.ImpactMinor: domain.ImpactModerate, domain.ImpactNone: domain.ImpactMinor, domain.ImpactNegative: domain.ImpactNone}[d.Impact]
			reason = "The evidence supports a different impact: see the panel minutes."
		}
		run.decision(domain.DisruptionDecision{From: domain.DisruptionSubmitted, To: domain.DisruptionValidated, FourP: d.ValidatedFourP,
			Impact: d.ValidatedImpact, Reason: reason, ActorID: p.UserID, At: at})
	case domain.DisruptionReturned:
		run.decision(domain.DisruptionDecision{From: domain.DisruptionSubmitted, To: domain.DisruptionReturned,
			Reason: "Add the custody record and the seizure values before the panel can validate this.", ActorID: p.UserID, At: at})
	case domain.DisruptionWithdrawn:
		run.decision(domain.DisruptionDecision{From: domain.DisruptionSubmitted, To: domain.DisruptionWithdrawn,
			Reason: "Recorded twice: see the other record.", ActorID: by.UserID, At: at})
	}
}

// decision adds a decision on the disruption about to be added.
func (run *disruptionRun) decision(x domain.DisruptionDecision) {
	run.decisions = append(run.decisions, x)
	run.decided = append(run.decided, len(run.disruptions))
}

// outcomes spreads the year's outcome totals over its validated
// disruptions (from base), so the totals are exactly the plan's, and gives
// the others small figures the plan does not cover.
func (run *disruptionRun) outcomes(y *yearRun, base int) error {
	plan, rng, nyp := y.plan, y.rng, run.nyp
	counted := run.disruptions[base : base+plan.n]
	idx := func(pred func(d domain.Disruption) bool) []int {
		var out []int
		for i, d := range counted {
			if pred(d) {
				out = append(out, i)
			}
		}
		return out
	}
	spread := func(typ string, total int, among []int, per int) {
		n := min(len(among), max(1, total/per))
		parts := split(rng, total, n, 1)
		rng.Shuffle(len(among), func(i, j int) { among[i], among[j] = among[j], among[i] })
		for k, q := range parts {
			d := &counted[among[k]]
			d.Outcomes = append(d.Outcomes, domain.Outcome{Type: typ, Quantity: q})
		}
	}
	protect := idx(func(d domain.Disruption) bool { return d.ValidatedFourP == domain.Protect })
	pursue := idx(func(d domain.Disruption) bool { return d.ValidatedFourP == domain.Pursue })
	nypPursue := idx(func(d domain.Disruption) bool { return d.ValidatedFourP == domain.Pursue && d.LeadAgencyID == nyp.ID })
	if len(pursue) == 0 || len(nypPursue) == 0 {
		return fmt.Errorf("demo: %s has no police Pursue disruptions to hang outcomes on", plan.fy)
	}
	spread("adults_safeguarded", plan.adults, protect, 3)
	spread("children_safeguarded", plan.children, protect, 2)
	spread("warrants", plan.warrants, pursue, 2)
	spread("arrests", plan.warrants*2, pursue, 3)
	spread("charges", plan.warrants*3/2, pursue, 2)
	spread("searches", plan.warrants+40, pursue, 2)
	spread("firearms", 6+int(plan.fy)%5, slices.Clone(pursue), 1)
	spread("nrm_referrals", plan.adults/6, slices.Clone(protect), 1)
	spread("civil_orders", 11+int(plan.fy)%7, idx(func(d domain.Disruption) bool { return d.ValidatedFourP != domain.Pursue }), 1)
	spread("convictions", plan.sentenced+5, slices.Clone(pursue), 1)
	for k, m := range split(rng, plan.months, plan.sentenced, 6) {
		d := &counted[pursue[(k*7)%len(pursue)]]
		d.Outcomes = append(d.Outcomes, domain.Outcome{Type: "custodial_sentence", Quantity: 1, Months: m})
	}
	run.seizures(y, counted, pursue, nypPursue)
	for k := base + plan.n; k < len(run.disruptions); k++ {
		d := &run.disruptions[k]
		d.Outcomes = append(d.Outcomes, domain.Outcome{Type: "arrests", Quantity: 1 + rng.IntN(3)},
			domain.Outcome{Type: "adults_safeguarded", Quantity: 1 + rng.IntN(2)})
	}
	return nil
}

// seizures adds the police's cash seizures (the plan's Non-POCA and PACE
// totals), HMRC's own cash seizures and the police's drug seizures to the
// year's counted disruptions.
func (run *disruptionRun) seizures(y *yearRun, counted []domain.Disruption, pursue, nypPursue []int) {
	plan, rng, nyp, hmrc := y.plan, y.rng, run.nyp, run.hmrc
	for _, s := range []struct {
		code  string
		n     int
		pence int64
	}{{"cash_non_poca", plan.nonPOCA, plan.nonPOCAPence}, {"cash_pace", plan.pace, plan.pacePence}} {
		for k, v := range splitPence(rng, s.pence, s.n) {
			d := &counted[nypPursue[(k*5+len(s.code))%len(nypPursue)]]
			d.Outcomes = append(d.Outcomes, domain.Outcome{Type: "seizure", SeizureType: s.code, AgencyID: nyp.ID, Quantity: 1, ValuePence: v})
		}
	}
	for k := range 4 {
		d := &counted[pursue[(k*11+3)%len(pursue)]]
		d.Outcomes = append(d.Outcomes, domain.Outcome{Type: "seizure", SeizureType: "cash_poca", AgencyID: hmrc.ID, Quantity: 1,
			ValuePence: int64(8000+rng.IntN(40000)) * 100})
		if !slices.Contains(d.Agencies, hmrc.ID) && d.LeadAgencyID != hmrc.ID {
			d.Agencies = append(d.Agencies, hmrc.ID)
		}
	}
	for k := range len(pursue) / 3 {
		d := &counted[pursue[k*3]]
		d.Outcomes = append(d.Outcomes, domain.Outcome{Type: "drugs", DrugClass: []string{"A", "A", "B", "C"}[rng.IntN(4)], Grams: 5 + rng.IntN(900),
			ValuePence: int64(200+rng.IntN(20000)) * 100})
	}
}

// write stores the activities, disruptions and decisions, and records their
// collection in the audit log: one entry for each recorder's disruptions
// and one for the activities.
func (run *disruptionRun) write(ctx context.Context) error {
	if err := run.s.InsertActivities(ctx, run.tx, run.activities); err != nil {
		return fmt.Errorf("demo: activities: %w", err)
	}
	if err := run.s.InsertDisruptions(ctx, run.tx, run.disruptions); err != nil {
		return fmt.Errorf("demo: disruptions: %w", err)
	}
	ids := make([]string, len(run.decisions))
	for i, k := range run.decided {
		ids[i] = run.disruptions[k].ID
	}
	if err := run.s.InsertDisruptionDecisions(ctx, run.tx, run.pid, ids, run.decisions); err != nil {
		return fmt.Errorf("demo: disruption decisions: %w", err)
	}
	byActor := map[string][]string{}
	for _, d := range run.disruptions {
		byActor[d.CreatedBy] = append(byActor[d.CreatedBy], d.ID)
	}
	for _, x := range run.recorders {
		if list := byActor[x.actor.UserID]; len(list) > 0 {
			if err := run.record(ctx, x.actor, audit.Entry{Operation: audit.Collection, RecordType: string(domain.KindDisruption), RecordIDs: list,
				Label: fmt.Sprintf("Demo: %d disruptions", len(list))}); err != nil {
				return err
			}
		}
	}
	actIDs := make([]string, len(run.activities))
	for i, a := range run.activities {
		actIDs[i] = a.ID
	}
	return run.record(ctx, run.actor("analyst@nyp.example"), audit.Entry{Operation: audit.Collection, RecordType: string(domain.KindDisruption),
		RecordIDs: actIDs, Label: fmt.Sprintf("Demo: %d activities", len(actIDs))})
}
