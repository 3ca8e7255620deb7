package demo

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"time"

	"alliance/internal/audit"
	"alliance/internal/domain"
	"alliance/internal/eligibility"
)

// programmes writes the partnership's three prevention programmes from the
// rules Alliance ships with (package eligibility): Operation Choice and
// Operation Divan run by North Yorkshire Police, Stepping Up by the St Giles
// Trust. No random draw.
func (b *builder) programmes(ctx context.Context) error {
	ts, err := eligibility.Templates()
	if err != nil {
		return err
	}
	owners := map[string]string{"Operation Choice": "NYP", "Operation Divan": "NYP", "Stepping Up": "StGiles"}
	admin := b.actor("admin@nyp.example")
	for _, t := range ts {
		rules, err := json.MarshalIndent(t.Rules, "", "  ")
		if err != nil {
			return fmt.Errorf("demo: programme %s: %w", t.Name, err)
		}
		p := domain.Programme{PartnershipID: b.res.Partnership.ID, Name: t.Name, Kind: domain.ProgrammeKind(t.Type),
			OwnerAgencyID: b.agency[owners[t.Name]].ID, MinAge: t.MinAge, MaxAge: t.MaxAge, Rules: string(rules), Active: true, CreatedBy: admin.UserID}
		if err := b.s.InsertProgramme(ctx, b.tx, &p); err != nil {
			return fmt.Errorf("demo: programme %s: %w", t.Name, err)
		}
		if err := b.record(ctx, admin, audit.Entry{Operation: audit.Collection, RecordType: "programme", RecordIDs: []string{p.ID}, Label: p.Name}); err != nil {
			return err
		}
		if err := b.referrals(ctx, p, t.Rules); err != nil {
			return err
		}
	}
	return nil
}

// referralSeed draws the demo's referrals apart from every other draw.
const referralSeed = 20240331

// referralMix is how many of a programme's 36 demo referrals are in each
// status: every status has some.
var referralMix = []struct {
	status domain.ReferralStatus
	n      int
}{{domain.ReferralReceived, 4}, {domain.ReferralAccepted, 3}, {domain.ReferralAllocated, 5}, {domain.ReferralEngaged, 7},
	{domain.ReferralDeclined, 4}, {domain.ReferralCompleted, 10}, {domain.ReferralClosed, 3}}

// referrals writes a year of referrals to programme p, each eligible under
// its rules and routed by them, in every status, with sessions for those
// that engaged, and their collection entries.
func (b *builder) referrals(ctx context.Context, p domain.Programme, rules eligibility.Rules) error {
	rng := rand.New(rand.NewPCG(referralSeed, uint64(len(p.Name))))
	now := b.s.Now()
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	referrers := []string{"officer@nyc.example", "lro@nyp.example", "officer@york.example"}
	workers := []string{"referrals@nycsp.example", "referrals@saferyork.example", "officer@york.example"}
	if p.Name == "Stepping Up" {
		referrers, workers = []string{"officer@stgiles.example", "officer@nyc.example", "lro@nyp.example"}, []string{"referrals@stgiles.example"}
	}
	sources := []string{"police_officer", "school", "cfs_early_help", "yjs", "voluntary_sector"}
	i := 0
	for _, mix := range referralMix {
		for range mix.n {
			i++
			by := b.actor(referrers[rng.IntN(len(referrers))])
			referred := today.AddDate(0, 0, -(5 + rng.IntN(355)))
			age := p.MinAge + rng.IntN(p.MaxAge-max(p.MinAge, 10)+1) + max(0, 10-p.MinAge)
			dob := referred.AddDate(-age, -rng.IntN(11), -rng.IntN(27))
			incident := referred.AddDate(0, 0, -rng.IntN(4))
			f := eligibility.Facts{Numbers: map[string]int{"age": domain.AgeOn(dob, referred)}, Words: map[string][]string{
				"offence": {"possession"}, "referral_source": {sources[rng.IntN(len(sources))]}, "open_to": {[]string{"cfs", "yjs", "", ""}[rng.IntN(4)]}},
				Flags: map[string]bool{"in_custody": false, "parental_consent": true, "knife_concern": true, "provable_crime": false}}
			if ok, failed := rules.Check(f); !ok {
				return fmt.Errorf("demo: referral %d to %s is not eligible: %s", i, p.Name, failed.Message)
			}
			facts, err := json.Marshal(f)
			if err != nil {
				return err
			}
			consent := referred
			r := domain.Referral{PartnershipID: p.PartnershipID, ProgrammeID: p.ID, SubjectName: givenNames[rng.IntN(len(givenNames))] + " " +
				familyNames[rng.IntN(len(familyNames))], SubjectDOB: dob, SubjectGender: []string{"female", "male", "male"}[rng.IntN(3)],
				AgeAtReferral: domain.AgeOn(dob, referred), Source: domain.ReferralSource(f.Words["referral_source"][0]), IncidentOn: incident,
				ReferredOn: referred, Facts: string(facts), Route: rules.Route(f), ConsentYoung: &consent, ConsentParent: &consent,
				Status: mix.status, AgencyID: by.AgencyID, CreatedBy: by.UserID}
			if mix.status != domain.ReferralReceived && mix.status != domain.ReferralAccepted {
				r.WorkerID = b.byEmail[workers[rng.IntN(len(workers))]].ID
			}
			switch mix.status {
			case domain.ReferralCompleted:
				r.Outcome = []domain.ReferralOutcome{"completed", "completed", "partially_completed"}[rng.IntN(3)]
			case domain.ReferralDeclined:
				r.Outcome = "did_not_engage"
			case domain.ReferralClosed:
				r.Outcome = []domain.ReferralOutcome{"escalated", "did_not_engage"}[rng.IntN(2)]
			}
			if err := b.s.InsertReferral(ctx, b.tx, &r); err != nil {
				return fmt.Errorf("demo: referral to %s: %w", p.Name, err)
			}
			if err := b.record(ctx, by, audit.Entry{Operation: audit.Collection, RecordType: "referral", RecordIDs: []string{r.ID}, Label: r.Reference}); err != nil {
				return err
			}
			if mix.status == domain.ReferralEngaged || mix.status == domain.ReferralCompleted {
				for k := range 1 + rng.IntN(4) {
					on := referred.AddDate(0, 0, 7*(k+1))
					if on.After(today) {
						break
					}
					x := domain.ReferralSession{ReferralID: r.ID, HeldOn: on, Attended: k == 0 || rng.IntN(5) > 0, CreatedBy: r.WorkerID}
					if err := b.s.InsertReferralSession(ctx, b.tx, &x); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}
