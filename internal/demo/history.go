package demo

import (
	"context"
	"time"

	"alliance/internal/audit"
	"alliance/internal/domain"
	"alliance/internal/store"
)

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

// sharing adds the partnership's information sharing agreements: police with
// the councils, fire, health and HMRC; one has expired, one is suspended, and
// one is overdue for review, so the register shows what each state does.
func (b *builder) sharing(ctx context.Context) error {
	ag := func(short ...string) []string {
		out := make([]string, len(short))
		for i, s := range short {
			out[i] = b.agency[s].ID
		}
		return out
	}
	isas := []domain.ISA{
		{Reference: "PA-ISA-001", Title: "Project Alliance: serious and organised crime information sharing",
			Purposes:       "Identifying, assessing and disrupting organised crime groups; safeguarding people they exploit",
			DataCategories: "Names, dates of birth, addresses, associations, intelligence gradings, disruption outcomes",
			Gateways:       "Crime and Disorder Act 1998 s.115; DPA 2018 s.35 and Schedule 8", Regime: "both", Status: "active",
			StartsOn: day("2024-04-01"), ReviewOn: day("2027-03-31"), Parties: ag("NYP", "YHROCU", "NYC", "CYC", "SYP", "NYCSP", "PS", "StGiles")},
		{Reference: "PA-ISA-002", Title: "Fire and rescue: premises risk and safeguarding visits",
			Purposes: "Fire safety at premises linked to exploitation and cuckooing", DataCategories: "Addresses, occupants, vulnerability flags",
			Gateways: "Fire and Rescue Services Act 2004 s.6; Crime and Disorder Act 1998 s.115", Regime: "uk_gdpr", Status: "active",
			StartsOn: day("2023-04-01"), EndsOn: day("2025-03-31"), ReviewOn: day("2025-01-31"), Parties: ag("NYP", "NYFRS")},
		{Reference: "PA-ISA-003", Title: "Health partners: exploitation and safeguarding",
			Purposes: "Safeguarding adults and children at risk of criminal exploitation", DataCategories: "Names, dates of birth, safeguarding concerns",
			Gateways: "Care Act 2014 s.45; Children Act 2004 s.11; Crime and Disorder Act 1998 s.115", Regime: "both", Status: "active",
			StartsOn: day("2024-06-01"), ReviewOn: day("2026-06-30"), Parties: ag("NYP", "HNY ICB", "TEWV")},
		{Reference: "PA-ISA-004", Title: "HMRC: tax and financial information about organised crime",
			Purposes: "Financial investigation and disruption of organised crime groups", DataCategories: "Names, businesses, financial indicators",
			Gateways: "Commissioners for Revenue and Customs Act 2005 s.18(2); Crime and Disorder Act 1998 s.115", Regime: "dpa_part3", Status: "active",
			StartsOn: day("2024-04-01"), ReviewOn: day("2027-04-01"), Parties: ag("NYP", "YHROCU", "HMRC", "DWP")},
		{Reference: "PA-ISA-005", Title: "Housing: tenancy enforcement",
			Purposes: "Tenancy enforcement against properties used by organised crime", DataCategories: "Addresses, tenants, tenancy actions",
			Gateways: "Housing Act 1996; Crime and Disorder Act 1998 s.115", Regime: "uk_gdpr", Status: "suspended",
			StartsOn: day("2024-09-01"), ReviewOn: day("2026-09-01"), Parties: ag("NYP", "Broadacres", "NYC")},
	}
	admin := b.actor("admin@nyp.example")
	for i := range isas {
		isas[i].PartnershipID = b.res.Partnership.ID
		if err := b.s.InsertISA(ctx, b.tx, &isas[i]); err != nil {
			return err
		}
		b.isaIDs = append(b.isaIDs, isas[i].ID)
		if err := b.record(ctx, admin, audit.Entry{Operation: audit.Collection, RecordType: "isa",
			RecordIDs: []string{isas[i].ID}, Label: isas[i].Reference}); err != nil {
			return err
		}
	}
	return nil
}

func (b *builder) actor(email string) domain.Actor {
	u := b.byEmail[email]
	var ag domain.Agency
	for _, a := range b.agency {
		if a.ID == u.AgencyID {
			ag = a
		}
	}
	return domain.Actor{Kind: domain.ActorUser, UserID: u.ID, Email: u.Email, DisplayName: u.DisplayName, PartnershipID: u.PartnershipID,
		AgencyID: ag.ID, AgencyName: ag.Name, AgencyType: ag.Type, Roles: u.Roles}
}

// reports submits a few information reports and the history around them:
// who submitted each, who read them and why, and one export, all logged.
func (b *builder) reports(ctx context.Context) error {
	type rep struct {
		by, title, body, source, intel, class, handling, conditions string
		condTypes                                                   []domain.AgencyType
		restrictTo                                                  []string
	}
	reps := []rep{
		{by: "analyst@nyp.example", title: "Cuckooed flat used for supply in Scarborough town centre",
			body:   "Two visitors a day at a first-floor flat; the tenant is known to adult social care. Vehicles seen include a black hatchback.",
			source: "2", intel: "B", class: "OFFICIAL-SENSITIVE", handling: "C", conditions: "Share with councils and housing for safeguarding only; no onward disclosure",
			condTypes: []domain.AgencyType{domain.AgencyLocalAuthority, domain.AgencyHousing}},
		{by: "officer@york.example", title: "Young people missing from school near Acomb shops",
			body:   "Three pupils absent on the same afternoons; staff report new phones and cash. Early help informed.",
			source: "2", intel: "C", class: "OFFICIAL", handling: "P"},
		{by: "officer@hmrc.example", title: "Car wash paying cash wages linked to an OCG nominal",
			body: "Director appointments and cash deposits inconsistent with turnover.", source: "1", intel: "B", class: "OFFICIAL-SENSITIVE", handling: "P"},
		{by: "analyst@rocu.example", title: "Line holder identified for a county line into Harrogate",
			body: "Phone attribution and travel pattern suggest the line is run from Leeds.", source: "1", intel: "A", class: "OFFICIAL-SENSITIVE", handling: "P",
			restrictTo: []string{"analyst@nyp.example", "lro@nyp.example"}},
	}
	base := b.s.Now()
	for i, r := range reps {
		by := b.actor(r.by)
		m := domain.Marking{PartnershipID: by.PartnershipID, OriginAgencyID: by.AgencyID, Classification: domain.Classification(r.class),
			Handling: domain.HandlingCode(r.handling), ConditionTypes: r.condTypes}
		if len(r.restrictTo) > 0 {
			m.Restricted = true
			m.NamedUsers = append(m.NamedUsers, by.UserID)
			for _, e := range r.restrictTo {
				m.NamedUsers = append(m.NamedUsers, b.byEmail[e].ID)
			}
		}
		x := domain.InfoReport{Title: r.title, Body: r.body, SourceGrade: r.source, IntelGrade: r.intel, HandlingConditions: r.conditions,
			Marking: m, CreatedBy: by.UserID, CreatedAt: base.Add(time.Duration(i) * time.Minute)}
		if err := b.s.InsertInfoReport(ctx, b.tx, &x); err != nil {
			return err
		}
		if b.reportIDs == nil {
			b.reportIDs = map[string]string{}
		}
		b.reportIDs[x.Title] = x.ID
		if err := b.record(ctx, by, audit.Entry{Operation: audit.Collection,
			RecordType: string(domain.KindInfoReport), RecordIDs: []string{x.ID}, Label: x.Reference}); err != nil {
			return err
		}
		// Who read it, and why.
		for _, reader := range []struct{ email, why string }{
			{"analyst2@nyp.example", "Tasking or briefing: daily management meeting"},
			{"lro@nyp.example", "OCG management meeting or 4P plan"},
		} {
			if len(r.restrictTo) > 0 && reader.email != "lro@nyp.example" {
				continue
			}
			if err := b.record(ctx, b.actor(reader.email), audit.Entry{Operation: audit.Consultation,
				RecordType: string(domain.KindInfoReport), RecordIDs: []string{x.ID}, Label: x.Reference, Justification: reader.why}); err != nil {
				return err
			}
		}
		if i == 0 {
			first := x
			an := b.actor("analyst@nyp.example")
			if err := b.s.InsertDisclosure(ctx, b.tx, store.DisclosureRecord{PartnershipID: an.PartnershipID, ActorID: an.UserID, AgencyID: an.AgencyID,
				RecordType: string(domain.KindInfoReport), RecordCount: 1, Purpose: "Multi-agency safeguarding meeting", Recipients: "North Yorkshire Council safeguarding team",
				ISAID: b.isaIDs[0], Channel: "export", At: base}); err != nil {
				return err
			}
			if err := b.record(ctx, an, audit.Entry{Operation: audit.Disclosure,
				RecordType: string(domain.KindInfoReport), RecordIDs: []string{first.ID}, Label: "CSV export of 1 reports",
				Justification: "Multi-agency safeguarding meeting", Recipients: "North Yorkshire Council safeguarding team", ISAID: b.isaIDs[0]}); err != nil {
				return err
			}
		}
	}
	return nil
}
