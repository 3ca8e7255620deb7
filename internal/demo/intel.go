package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"alliance/internal/audit"
	"alliance/internal/domain"
	"alliance/internal/store"
)

// intelSeed draws the demo's year of intelligence apart from the register's
// own draws, so adding it changed no group, person or disruption.
const intelSeed = 20261207

// intelTemplates are what the intelligence unit records about a group, by
// threat: %[1]s is a member's name, %[2]s the group's, %[3]s its town.
var intelTemplates = map[string][]string{
	"drugs": {
		"%[1]s seen handing small packages to callers at a ground-floor flat in %[3]s over three evenings; visits last under two minutes.",
		"%[1]s is believed to be resupplying %[2]s from a lock-up garage on the edge of %[3]s; a silver estate car attends weekly.",
		"Cash deposits by %[1]s at a %[3]s branch well above any known income; linked to %[2]s's street-level supply.",
		"Neighbours report a strong smell of cannabis and blacked-out windows at an address %[1]s visits in %[3]s.",
	},
	"county_lines": {
		"A line branded for %[2]s is advertising to users in %[3]s; %[1]s is believed to hold the phone this month.",
		"Two teenagers not from %[3]s seen leaving an address %[1]s uses, with new phones and cash; possible exploitation.",
		"%[1]s travelled by train from Leeds to %[3]s twice this week carrying a rucksack; pattern fits %[2]s's runner shifts.",
		"A vulnerable adult in %[3]s says %[1]s and others have taken over the flat for supply (cuckooing).",
	},
	"modern_slavery": {
		"Workers at a car wash in %[3]s are collected by minibus at 6am and appear to have no access to their wages; %[1]s drives.",
		"%[1]s is believed to hold the identity documents of workers placed by %[2]s at a %[3]s factory.",
	},
	"fraud": {
		"%[1]s is named as director of three companies registered at one %[3]s address; turnover inconsistent with premises.",
		"Victims in %[3]s report doorstep callers quoting roof repairs; vehicle registered to %[1]s seen nearby.",
	},
	"burglary": {
		"A van linked to %[1]s seen in %[3]s on the nights of two rural burglaries; tools recovered match %[2]s's method.",
		"%[1]s is selling power tools on social media matching items stolen in %[3]s last month.",
	},
}

// intelligence writes a year of graded reports about the demo's groups,
// each linked to the group and the member it names, from the police and
// ROCU analysts, as an intelligence unit records them; and three historic
// reports graded under 5x5x5 about the partnership's top group, kept as
// recorded. Each report has its collection entry.
func (r *regBuilder) intelligence(ctx context.Context) error {
	rng := rand.New(rand.NewPCG(intelSeed, intelSeed))
	names := map[string]string{}
	for _, e := range r.ents {
		names[e.ID] = e.Name
	}
	authors := []domain.Actor{r.actor("analyst@nyp.example"), r.actor("analyst2@nyp.example"), r.actor("analyst@rocu.example")}
	start := r.today.AddDate(-1, 0, 0)
	for gi, g := range r.groups {
		texts := intelTemplates[g.threat]
		if len(texts) == 0 || g.fate != "active" {
			continue
		}
		members := r.people[g.id]
		n := 4 + rng.IntN(7)
		for i := range n {
			by := authors[rng.IntN(len(authors))]
			person := members[rng.IntN(len(members))]
			at := start.Add(time.Duration(rng.Int64N(int64(365 * 24 * time.Hour))))
			body := fmt.Sprintf(texts[(gi+i)%len(texts)], names[person], g.name, districtTown[g.district].town)
			m := domain.Marking{PartnershipID: r.pid, OriginAgencyID: by.AgencyID, Classification: domain.OfficialSensitive, Handling: domain.HandlingP}
			rep := domain.InfoReport{Title: title(body), Body: body, SourceGrade: string(rune('1' + rng.IntN(2))), IntelGrade: string(rune('A' + rng.IntN(3))),
				CreatedBy: by.UserID, CreatedAt: at, Marking: m}
			if rng.IntN(5) == 0 {
				rep.Marking.Handling, rep.HandlingConditions = domain.HandlingC, "Police and ROCU only until the operation ends"
				rep.Marking.ConditionTypes = []domain.AgencyType{domain.AgencyPolice, domain.AgencyROCU}
			}
			if err := r.writeReport(ctx, by, &rep, []store.ReportLink{{Kind: domain.NodeOCG, ID: g.id}, {Kind: domain.NodeEntity, ID: person}}); err != nil {
				return err
			}
		}
	}
	if len(r.groups) == 0 {
		return nil
	}
	top, by := r.groups[0], r.actor("analyst@nyp.example")
	for i, h := range []struct{ grading, ref, on, text string }{
		{"B24", "NIM/2012/004417", "2012-09-14", "Subject believed to be moving cannabis between Leeds and %s using hire cars; source has reported reliably before."},
		{"C34", "NIM/2013/000982", "2013-02-02", "Premises in %s used to store cash for the group; not personally known to the source but corroborated by a second report."},
		{"A15", "NIM/2013/007310", "2013-11-21", "Intelligence on the group's supplier in %s. Handling code 5: refer to the originator before any further use."},
	} {
		on, err := time.Parse("2006-01-02", h.on)
		if err != nil {
			return err
		}
		body := fmt.Sprintf(h.text, districtTown[top.district].town)
		rep := domain.InfoReport{Reference: h.ref, Title: "Historic intelligence on " + top.name + fmt.Sprintf(" (%d of 3)", i+1), Body: body,
			Scheme: domain.Scheme5x5x5, SourceGrade: h.grading[:1], IntelGrade: h.grading[1:2], LegacyHandling: h.grading[2:],
			HandlingConditions: domain.LegacyConditions(h.grading[2:], ""), CreatedBy: by.UserID, CreatedAt: on,
			Marking: domain.Marking{PartnershipID: r.pid, OriginAgencyID: by.AgencyID, Classification: domain.OfficialSensitive, Handling: domain.HandlingC,
				ConditionTypes: domain.LegacyRecipients(h.grading[2:])}}
		if err := r.writeReport(ctx, by, &rep, []store.ReportLink{{Kind: domain.NodeOCG, ID: top.id}}); err != nil {
			return err
		}
	}
	return nil
}

// writeReport stores rep with its links and its collection entry.
func (r *regBuilder) writeReport(ctx context.Context, by domain.Actor, rep *domain.InfoReport, links []store.ReportLink) error {
	if err := r.s.InsertInfoReport(ctx, r.tx, rep); err != nil {
		return fmt.Errorf("demo: report %q: %w", rep.Title, err)
	}
	for _, l := range links {
		if _, err := r.s.InsertReportLink(ctx, r.tx, r.pid, rep.ID, l, by.UserID); err != nil {
			return err
		}
	}
	return r.record(ctx, by, audit.Entry{Operation: audit.Collection, RecordType: string(domain.KindInfoReport), RecordIDs: []string{rep.ID},
		Label: rep.Reference})
}

// title is the first clause of body, as an analyst titles a report.
func title(body string) string {
	t := body
	if i := strings.IndexAny(t, ";,."); i > 0 {
		t = t[:i]
	}
	if r := []rune(t); len(r) > 90 {
		t = string(r[:90])
	}
	return t
}
