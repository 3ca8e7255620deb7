package service

import (
	"context"
	"strings"

	"alliance/internal/domain"
	"alliance/internal/store"
)

// parseMarking checks a marking as typed for a record a's agency
// originates, adding problems to verr under the usual field names
// (classification, handling, handling_conditions, condition_agencies,
// condition_types, named_agencies, named_users). The author of a
// restricted record is always named on it.
func parseMarking(ctx context.Context, st *store.Store, a domain.Actor, in domain.MarkingInput, verr *domain.ValidationError) (domain.Marking, error) {
	m := domain.Marking{PartnershipID: a.PartnershipID, OriginAgencyID: a.AgencyID, Restricted: in.Restricted}
	agencies, err := st.Agencies(ctx, a.PartnershipID)
	if err != nil {
		return m, err
	}
	known := map[string]bool{}
	for _, ag := range agencies {
		known[ag.ID] = true
	}
	types, err := st.AgencyTypes(ctx)
	if err != nil {
		return m, err
	}
	knownType := map[string]bool{}
	for _, t := range types {
		knownType[string(t.Code)] = true
	}
	if c, err := domain.ParseClassification(in.Classification); err != nil {
		verr.Add("classification", "%s", capitalise(err.Error()))
	} else {
		m.Classification = c
	}
	switch strings.ToUpper(strings.TrimSpace(in.Handling)) {
	case "P":
		m.Handling = domain.HandlingP
	case "C":
		m.Handling = domain.HandlingC
		if strings.TrimSpace(in.HandlingNote) == "" {
			verr.Add("handling_conditions", "Enter the handling conditions that apply")
		}
		for _, id := range in.ConditionAgencies {
			if !known[id] {
				verr.Add("condition_agencies", "Choose agencies of this partnership")
				break
			}
			m.ConditionAgencies = append(m.ConditionAgencies, id)
		}
		for _, t := range in.ConditionTypes {
			if !knownType[t] {
				verr.Add("condition_types", "Choose agency types from the list")
				break
			}
			m.ConditionTypes = append(m.ConditionTypes, domain.AgencyType(t))
		}
		if len(in.ConditionAgencies) == 0 && len(in.ConditionTypes) == 0 {
			verr.Add("condition_agencies", "Choose the agencies or agency types the conditions allow to see it")
		}
	default:
		verr.Add("handling", "Choose handling code P or C")
	}
	if in.Restricted {
		for _, id := range in.NamedAgencies {
			if !known[id] {
				verr.Add("named_agencies", "Choose agencies of this partnership")
				break
			}
			m.NamedAgencies = append(m.NamedAgencies, id)
		}
		for _, email := range in.NamedUsers {
			email = strings.TrimSpace(email)
			if email == "" {
				continue
			}
			c, err := st.CredentialsByEmail(ctx, st.Reader(), email)
			if err != nil || c.User.PartnershipID != a.PartnershipID || !c.User.Active {
				verr.Add("named_users", "%s is not an active user of this partnership", email)
				continue
			}
			m.NamedUsers = append(m.NamedUsers, c.User.ID)
		}
		m.NamedUsers = appendUnique(m.NamedUsers, a.UserID)
	}
	return m, nil
}
