package domain

import "time"

// ISA is an information sharing agreement: which agencies share what, for
// which purposes, under which legal gateways and regime. Disclosures rely on
// one; an expired or suspended agreement stops them.
type ISA struct {
	ID, PartnershipID string
	Reference, Title  string
	Purposes          string // what the sharing is for
	DataCategories    string // what personal data it covers
	Gateways          string // e.g. "Crime and Disorder Act 1998 s.115"
	Regime            string // dpa_part3, uk_gdpr or both
	Status            string // draft, active, suspended, withdrawn
	StartsOn, EndsOn  time.Time
	ReviewOn          time.Time
	Parties           []string // agency IDs
	PartyNames        []string
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

// Regimes names the data protection regimes.
var Regimes = map[string]string{"dpa_part3": "DPA 2018 Part 3 (law enforcement)", "uk_gdpr": "UK GDPR", "both": "DPA 2018 Part 3 and UK GDPR"}

// ISAStatuses lists the statuses an administrator can set.
var ISAStatuses = []string{"draft", "active", "suspended", "withdrawn"}

// Usable reports whether disclosures may rely on the agreement at now, and
// if not, why not.
func (i ISA) Usable(now time.Time) (bool, string) {
	switch {
	case i.Status != "active":
		return false, "the agreement is " + i.Status
	case now.Before(i.StartsOn):
		return false, "the agreement has not started"
	case !i.EndsOn.IsZero() && !now.Before(i.EndsOn.AddDate(0, 0, 1)):
		return false, "the agreement expired on " + i.EndsOn.Format("2 January 2006")
	}
	return true, ""
}

// EffectiveStatus is the status with expiry applied: "expired" once the end
// date has passed.
func (i ISA) EffectiveStatus(now time.Time) string {
	if i.Status == "active" && !i.EndsOn.IsZero() && !now.Before(i.EndsOn.AddDate(0, 0, 1)) {
		return "expired"
	}
	return i.Status
}

// ReviewOverdue reports whether the review date has passed.
func (i ISA) ReviewOverdue(now time.Time) bool { return !now.Before(i.ReviewOn.AddDate(0, 0, 1)) }

// HasParty reports whether agencyID is a party.
func (i ISA) HasParty(agencyID string) bool {
	for _, p := range i.Parties {
		if p == agencyID {
			return true
		}
	}
	return false
}
