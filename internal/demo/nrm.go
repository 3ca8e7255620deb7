package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"alliance/internal/audit"
	"alliance/internal/domain"
)

// nrmSeed draws the demo's NRM referrals apart from every other draw.
const nrmSeed = 20230401

// nrmYears are the demo's NRM referrals by financial year, calibrated to
// the May 2024 slides: "a significant rise in NRM submissions" in 2023/24
// (47, on 28 the year before), "64% for potential victims under 18" (30 of
// 47) and criminal exploitation the most common type.
var nrmYears = []struct {
	fy, total, children, criminal, countyLines, dtn int
}{
	{2022, 28, 15, 16, 9, 3},
	{2023, 47, 30, 31, 18, 6},
	{2024, 39, 22, 25, 14, 4},
	{2025, 41, 24, 26, 15, 5},
	{2026, 17, 10, 11, 6, 2},
}

// nrm writes the demo's NRM referrals and Duty to Notify reports, with
// decisions for the older ones and some still waiting, one of them past the
// 5 working days.
func (b *builder) nrm(ctx context.Context) error {
	rng := rand.New(rand.NewPCG(nrmSeed, nrmSeed))
	now := b.s.Now()
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	responders := []string{"officer@nyc.example", "lro@nyp.example", "officer@york.example", "referrals@nycsp.example"}
	others := []string{"labour", "sexual", "domestic_servitude"}
	for _, y := range nrmYears {
		fy := domain.FiscalYear(y.fy)
		span := int(fy.End().Sub(fy.Start()).Hours() / 24)
		if fy.Contains(today) {
			span = int(today.Sub(fy.Start()).Hours() / 24)
		}
		for i := range y.total + y.dtn {
			by := b.actor(responders[rng.IntN(len(responders))])
			n := domain.NRMReferral{PartnershipID: b.res.Partnership.ID, Kind: "nrm", AgeAtExploitation: "adult",
				Gender: []string{"male", "male", "female"}[rng.IntN(3)], Nationality: []string{"British", "British", "Albanian", "Vietnamese", "Romanian"}[rng.IntN(5)],
				CompetentAuthority: "sca", ReferredOn: fy.Start().AddDate(0, 0, i*span/(y.total+y.dtn)), RGDecision: "pending", CGDecision: "pending",
				AgencyID: by.AgencyID, CreatedBy: by.UserID}
			switch {
			case i >= y.total:
				n.Kind = "dtn"
			case i < y.children:
				n.AgeAtExploitation = "child"
				n.SubjectName = givenNames[rng.IntN(len(givenNames))] + " " + familyNames[rng.IntN(len(familyNames))]
			default:
				n.SubjectName = givenNames[rng.IntN(len(givenNames))] + " " + familyNames[rng.IntN(len(familyNames))]
			}
			if n.Nationality != "British" && rng.IntN(3) == 0 {
				n.CompetentAuthority = "ieca"
			}
			if i < y.criminal {
				n.ExploitationTypes = []string{"criminal"}
				if rng.IntN(6) == 0 {
					n.ExploitationTypes = append(n.ExploitationTypes, others[rng.IntN(len(others))])
				}
			} else {
				n.ExploitationTypes = []string{others[(i+y.fy)%len(others)]}
			}
			n.CountyLines = i < y.countyLines
			if n.Kind == "nrm" && n.ReferredOn.Before(today.AddDate(0, 0, -20)) {
				rg := domain.AddWorkingDays(n.ReferredOn, 1+rng.IntN(5))
				n.RGDecision, n.RGOn = []string{"positive", "positive", "positive", "negative"}[rng.IntN(4)], &rg
				if n.RGDecision == "positive" && n.ReferredOn.Before(today.AddDate(0, -6, 0)) {
					cg := rg.AddDate(0, 2+rng.IntN(8), 0)
					if cg.Before(today) {
						n.CGDecision, n.CGOn = []string{"positive", "positive", "negative"}[rng.IntN(3)], &cg
					}
				}
			}
			if err := b.s.InsertNRM(ctx, b.tx, &n); err != nil {
				return fmt.Errorf("demo: NRM referral: %w", err)
			}
			if err := b.record(ctx, by, audit.Entry{Operation: audit.Collection, RecordType: "nrm_referral", RecordIDs: []string{n.ID}, Label: n.Reference}); err != nil {
				return err
			}
		}
	}
	return nil
}
