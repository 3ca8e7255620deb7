package demo

import (
	"context"
	"fmt"
	"strings"
	"time"

	"alliance/internal/audit"
	"alliance/internal/domain"
	"alliance/internal/store"
)

// submissions gives the triage queue something to show: partner
// submissions in every state (waiting, asked a question, answered, graded
// into a report, closed) and public reports waiting, some past their
// target. It draws nothing from the random source, so the rest of the demo
// is as it was.
func (b *builder) submissions(ctx context.Context) error {
	now := b.s.Now()
	analyst := b.actor("analyst@nyp.example")
	specs := []struct {
		by                     string // "" for a public report
		what, where, when, who string
		contact                string
		priority               domain.Priority
		status                 domain.SubmissionStatus
		question, answer       string
		reason                 string
		age                    time.Duration
	}{
		{by: "officer@nyc.example", what: "Visited the flat for a housing check: three young people not from the area, a new lock and a camera on the door.",
			where: "Flat 4, 14 Castle Road, Scarborough", when: "Tuesday afternoon", priority: domain.PriorityRoutine, status: domain.SubmissionNew, age: 26 * time.Hour},
		{by: "officer@nyfrs.example", what: "Home fire safety visit: a boy of about 14 answered the door at 11am on a school day and said he was 'staying with friends'.",
			where: "Gallows Close, Selby", priority: domain.PriorityChildAtRisk, status: domain.SubmissionNew, age: 5 * time.Hour},
		{by: "officer@hmrc.example", what: "Hand car wash taking only cash; eight workers, none on the payroll we hold.",
			where: "Leeds Road, Harrogate", priority: domain.PriorityRoutine, status: domain.SubmissionQuestion,
			question: "Did any worker say where they live or who brings them each day?", age: 3 * 24 * time.Hour},
		{by: "officer@york.example", what: "Two tenants reported cars arriving for five minutes at a time all evening.",
			where: "Tang Hall, York", priority: domain.PriorityTimeCritical, status: domain.SubmissionNew,
			question: "Can you give the registration numbers?", answer: "One was a grey Audi A3, YF19 ???; the tenants did not see the rest.", age: 30 * time.Hour},
		{by: "officer@probation.example", what: "A man on licence is staying at an address he did not declare, with known drug users.",
			priority: domain.PriorityRoutine, status: domain.SubmissionGraded, age: 9 * 24 * time.Hour},
		{by: "officer@broadacres.example", what: "Noise complaint: loud parties, nothing suggesting organised crime.",
			priority: domain.PriorityRoutine, status: domain.SubmissionClosed, reason: "Not about organised crime: passed to the council's noise team.", age: 12 * 24 * time.Hour},
		{what: "People coming and going from the flat above the takeaway all night. Young lads on bikes waiting outside.",
			where: "Eastborough, Scarborough", when: "Every night for the last two weeks", priority: domain.PriorityRoutine, status: domain.SubmissionNew, age: 7 * 24 * time.Hour},
		{what: "I think my neighbour's son is being made to carry drugs. Older men pick him up in a black car.", contact: "Prefer not to say",
			priority: domain.PriorityRoutine, status: domain.SubmissionNew, age: 40 * time.Minute},
		{what: "Cannabis smell from the garage behind the shops, and the windows are blacked out.", where: "Back lane, Malton",
			priority: domain.PriorityRoutine, status: domain.SubmissionNew, age: 2 * 24 * time.Hour},
	}
	for _, sp := range specs {
		x := domain.Submission{PartnershipID: b.res.Partnership.ID, Source: domain.SourcePublic, What: sp.what, Where: sp.where, When: sp.when, Who: sp.who,
			Contact: sp.contact, Priority: sp.priority, Status: sp.status, Question: sp.question, Answer: sp.answer, DecisionReason: sp.reason,
			CreatedAt: now.Add(-sp.age), Marking: domain.Marking{PartnershipID: b.res.Partnership.ID, Classification: domain.OfficialSensitive, Handling: domain.HandlingP}}
		by := domain.Actor{PartnershipID: b.res.Partnership.ID, DisplayName: "Public reporting page (no account)"}
		if sp.by != "" {
			by = b.actor(sp.by)
			x.Source, x.SubmittedBy, x.Marking.OriginAgencyID = domain.SourcePartner, by.UserID, by.AgencyID
		}
		if sp.status == domain.SubmissionGraded {
			rep := domain.InfoReport{Title: "Undeclared address of a man on licence", Body: "A man on licence is staying at an undeclared address with known drug users.",
				SourceGrade: "2", IntelGrade: "B", CreatedBy: analyst.UserID, CreatedAt: x.CreatedAt.Add(20 * time.Hour),
				Marking: domain.Marking{PartnershipID: analyst.PartnershipID, OriginAgencyID: analyst.AgencyID, Classification: domain.OfficialSensitive, Handling: domain.HandlingP}}
			if err := b.s.InsertInfoReport(ctx, b.tx, &rep); err != nil {
				return err
			}
			if err := b.record(ctx, analyst, audit.Entry{Operation: audit.Collection, RecordType: string(domain.KindInfoReport), RecordIDs: []string{rep.ID}, Label: rep.Reference}); err != nil {
				return err
			}
			x.ReportID = rep.ID
		}
		if err := b.s.InsertSubmission(ctx, b.tx, &x); err != nil {
			return err
		}
		if err := b.record(ctx, by, audit.Entry{Operation: audit.Collection, RecordType: string(domain.KindSubmission), RecordIDs: []string{x.ID}, Label: x.Reference}); err != nil {
			return err
		}
		if sp.status != domain.SubmissionNew || sp.question != "" {
			at := x.CreatedAt.Add(20 * time.Hour)
			x.DecidedBy, x.DecidedAt = analyst.UserID, &at
			if err := b.s.UpdateSubmission(ctx, b.tx, &x); err != nil {
				return err
			}
			if err := b.record(ctx, analyst, audit.Entry{Operation: audit.Alteration, RecordType: string(domain.KindSubmission), RecordIDs: []string{x.ID},
				Label: x.Reference + ": triage"}); err != nil {
				return err
			}
		}
	}
	return nil
}

// sanitised writes sanitised versions of the demo's police reports and
// disseminates them, as the intelligence unit does: councils and housing
// read the cuckooed flat's, fire and HMRC the county line's. Partners read
// police intelligence only this way. No random draw.
func (b *builder) sanitised(ctx context.Context) error {
	analyst, rocu := b.actor("analyst@nyp.example"), b.actor("analyst@rocu.example")
	specs := []struct {
		by       domain.Actor
		original string
		title    string
		body     string
		agencies []string // short names
		types    []domain.AgencyType
		purpose  string
	}{
		{analyst, "Cuckooed flat used for supply in Scarborough town centre", "Premises of concern in Scarborough town centre",
			"A first-floor flat in the town centre is believed to be used to supply drugs, and its tenant may be exploited. Consider a safeguarding visit and tenancy action.",
			nil, []domain.AgencyType{domain.AgencyLocalAuthority, domain.AgencyHousing}, "Safeguarding the tenant and tenancy enforcement"},
		{rocu, "Line holder identified for a county line into Harrogate", "County line active in Harrogate",
			"A county line run from outside the county supplies Harrogate. Premises and vehicles linked to it may come to partners' attention.",
			[]string{"NYFRS", "HMRC"}, nil, "Fire safety visits to linked premises and tax enforcement"},
	}
	for _, sp := range specs {
		orig, ok := b.reportIDs[sp.original]
		if !ok {
			return fmt.Errorf("demo: no report %q to sanitise", sp.original)
		}
		v := domain.InfoReport{Title: sp.title, Body: sp.body, SourceGrade: "2", IntelGrade: "B", SanitisedFrom: orig, CreatedBy: sp.by.UserID,
			HandlingConditions: domain.SanitisedConditions,
			Marking: domain.Marking{PartnershipID: sp.by.PartnershipID, OriginAgencyID: sp.by.AgencyID, Classification: domain.OfficialSensitive,
				Handling: domain.HandlingC, Sanitised: true, OriginLawEnforcement: true}}
		if err := b.s.InsertInfoReport(ctx, b.tx, &v); err != nil {
			return err
		}
		if err := b.record(ctx, sp.by, audit.Entry{Operation: audit.Collection, RecordType: string(domain.KindInfoReport), RecordIDs: []string{v.ID},
			Label: v.Reference}); err != nil {
			return err
		}
		now := b.s.Now()
		var list []store.Dissemination
		var names []string
		for _, short := range sp.agencies {
			list = append(list, store.Dissemination{ReportID: v.ID, AgencyID: b.agency[short].ID, ISAID: b.isaIDs[0], Purpose: sp.purpose, At: now})
			names = append(names, b.agency[short].Name)
		}
		for _, t := range sp.types {
			list = append(list, store.Dissemination{ReportID: v.ID, AgencyType: t, ISAID: b.isaIDs[0], Purpose: sp.purpose, At: now})
			names = append(names, "every "+string(t)+" agency")
		}
		if err := b.s.Disseminate(ctx, b.tx, sp.by.PartnershipID, list, sp.by.UserID); err != nil {
			return err
		}
		recipients := strings.Join(names, ", ")
		if err := b.s.InsertDisclosure(ctx, b.tx, store.DisclosureRecord{PartnershipID: sp.by.PartnershipID, ActorID: sp.by.UserID, AgencyID: sp.by.AgencyID,
			RecordType: string(domain.KindInfoReport), RecordCount: 1, Purpose: sp.purpose, Recipients: recipients, ISAID: b.isaIDs[0],
			Channel: "dissemination", At: now}); err != nil {
			return err
		}
		if err := b.record(ctx, sp.by, audit.Entry{Operation: audit.Disclosure, RecordType: string(domain.KindInfoReport), RecordIDs: []string{v.ID},
			Label: "Dissemination of " + v.Reference, Justification: sp.purpose, Recipients: recipients, ISAID: b.isaIDs[0]}); err != nil {
			return err
		}
	}
	return nil
}
