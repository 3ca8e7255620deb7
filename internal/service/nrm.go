package service

import (
	"context"
	"database/sql"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"alliance/internal/audit"
	"alliance/internal/domain"
)

// NRMInput is an NRM referral or Duty to Notify report as the form gives
// it.
type NRMInput struct {
	Kind, SubjectName, AgeAtExploitation, Gender, Nationality string
	Types                                                     []string
	CountyLines                                               bool
	CompetentAuthority, ReferredOn                            string
}

// RecordNRM checks in and stores it with its collection entry; a bad field
// is a *domain.ValidationError naming it, and nothing is stored.
func (rs *Referrals) RecordNRM(ctx context.Context, a domain.Actor, in NRMInput) (domain.NRMReferral, error) {
	if !rs.MayRefer(a) {
		return domain.NRMReferral{}, domain.ErrForbidden
	}
	verr := &domain.ValidationError{}
	n := domain.NRMReferral{PartnershipID: a.PartnershipID, Kind: in.Kind, SubjectName: strings.TrimSpace(in.SubjectName),
		AgeAtExploitation: in.AgeAtExploitation, Gender: in.Gender, Nationality: strings.TrimSpace(in.Nationality), CountyLines: in.CountyLines,
		CompetentAuthority: in.CompetentAuthority, RGDecision: "pending", CGDecision: "pending", AgencyID: a.AgencyID, CreatedBy: a.UserID}
	if n.Kind != "nrm" && n.Kind != "dtn" {
		verr.Add("kind", "Choose an NRM referral or a Duty to Notify report")
	}
	if !slices.Contains([]string{"child", "adult", "unknown"}, n.AgeAtExploitation) {
		verr.Add("age_at_exploitation", "Choose the age at exploitation: child, adult or not known")
	} else if n.Kind == "dtn" && n.AgeAtExploitation != "adult" {
		verr.Add("kind", "A Duty to Notify report is for an adult who does not consent: refer a child to the NRM")
	}
	if utf8.RuneCountInString(n.SubjectName) > 200 || !domain.StorableText(n.SubjectName) {
		verr.Add("subject_name", "The name must be 200 characters or fewer")
	}
	if n.Kind == "dtn" && n.SubjectName != "" {
		verr.Add("subject_name", "A Duty to Notify report is anonymous: leave the name out")
	}
	if utf8.RuneCountInString(n.Nationality) > 60 || !domain.StorableText(n.Nationality) {
		verr.Add("nationality", "The nationality must be 60 characters or fewer")
	}
	if !slices.Contains([]string{"", "female", "male", "other", "unknown"}, n.Gender) {
		verr.Add("gender", "Choose a gender from the list")
	}
	for _, t := range in.Types {
		if !slices.ContainsFunc(domain.ExploitationTypes, func(x struct{ Code, Label string }) bool { return x.Code == t }) {
			verr.Add("types", "Choose exploitation types from the list")
			break
		}
		n.ExploitationTypes = appendUnique(n.ExploitationTypes, t)
	}
	if len(in.Types) == 0 {
		verr.Add("types", "Choose at least one type of exploitation (not specified or unknown if need be)")
	}
	if n.CompetentAuthority != "sca" && n.CompetentAuthority != "ieca" {
		verr.Add("competent_authority", "Choose the competent authority: the SCA or the IECA")
	}
	if d, ok := domain.ParseDay(in.ReferredOn); !ok {
		verr.Add("referred_on", "Enter the date of the referral, like 14/03/2026")
	} else if d.After(rs.st.Now()) {
		verr.Add("referred_on", "The date of the referral cannot be in the future")
	} else {
		n.ReferredOn = d
	}
	if err := verr.Err(); err != nil {
		return n, err
	}
	err := rs.st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := rs.st.InsertNRM(ctx, tx, &n); err != nil {
			return err
		}
		_, err := rs.alog.Append(ctx, tx, a, audit.MetaFrom(ctx), audit.Entry{Operation: audit.Collection, RecordType: "nrm_referral",
			RecordIDs: []string{n.ID}, Label: n.Reference})
		return err
	})
	return n, err
}

// NRMList returns the NRM referrals a may see, the most recent first,
// logged as a consultation.
func (rs *Referrals) NRMList(ctx context.Context, a domain.Actor) ([]domain.NRMReferral, error) {
	list, err := rs.st.NewNRMQuery(a).List(ctx, 200)
	if err != nil || len(list) == 0 {
		return list, err
	}
	ids := make([]string, len(list))
	for i, n := range list {
		ids[i] = n.ID
	}
	return list, rs.logNRM(ctx, a, ids, "NRM referrals")
}

func (rs *Referrals) logNRM(ctx context.Context, a domain.Actor, ids []string, label string) error {
	return rs.st.InGroupTx(ctx, a.PartnershipID, func(ctx context.Context, tx *sql.Tx) error {
		_, err := rs.alog.Append(ctx, tx, a, audit.MetaFrom(ctx), audit.Entry{Operation: audit.Consultation, RecordType: "nrm_referral",
			RecordIDs: ids, Label: label, Justification: "Modern slavery referral work"})
		return err
	})
}

// NRMView returns one NRM referral a may see, logged; one a may not see
// is not found.
func (rs *Referrals) NRMView(ctx context.Context, a domain.Actor, id string) (domain.NRMReferral, error) {
	list, err := rs.st.NewNRMQuery(a).WithID(id).List(ctx, 2)
	if err != nil {
		return domain.NRMReferral{}, err
	}
	if len(list) != 1 {
		return domain.NRMReferral{}, domain.NotFound("NRM referral", id)
	}
	return list[0], rs.logNRM(ctx, a, []string{list[0].ID}, list[0].Reference)
}

// NRMDecision is the competent authority's decisions as the form gives
// them.
type NRMDecision struct {
	RG, RGOn, CG, CGOn string
	Reconsideration    bool
}

// DecideNRM records the RG and CG decisions of an NRM referral a may see:
// a decision needs its date, none before the referral or in the future, a
// CG decision needs a positive RG decision and cannot be dated before it.
func (rs *Referrals) DecideNRM(ctx context.Context, a domain.Actor, id string, in NRMDecision) error {
	n, err := rs.NRMView(ctx, a, id)
	if err != nil {
		return err
	}
	verr := &domain.ValidationError{}
	if n.Kind != "nrm" {
		verr.Add("rg", "A Duty to Notify report has no decisions")
	}
	when := func(decision, field, on, what string) *time.Time {
		if !slices.Contains(domain.NRMDecisions, decision) {
			verr.Add(field, "Choose the %s decision", what)
			return nil
		}
		if decision == "pending" {
			return nil
		}
		d, ok := domain.ParseDay(on)
		switch {
		case !ok:
			verr.Add(field+"_on", "Enter the date of the %s decision, like 14/03/2026", what)
		case d.Before(n.ReferredOn):
			verr.Add(field+"_on", "The %s decision cannot be before the referral", what)
		case d.After(rs.st.Now()):
			verr.Add(field+"_on", "The %s decision cannot be in the future", what)
		default:
			return &d
		}
		return nil
	}
	n.RGDecision, n.CGDecision, n.Reconsideration = in.RG, in.CG, in.Reconsideration
	n.RGOn, n.CGOn = when(in.RG, "rg", in.RGOn, "reasonable grounds"), when(in.CG, "cg", in.CGOn, "conclusive grounds")
	if in.CG != "pending" && in.RG != "positive" {
		verr.Add("cg", "A conclusive grounds decision follows a positive reasonable grounds decision")
	}
	if n.RGOn != nil && n.CGOn != nil && n.CGOn.Before(*n.RGOn) {
		verr.Add("cg_on", "The conclusive grounds decision cannot be before the reasonable grounds decision")
	}
	if err := verr.Err(); err != nil {
		return err
	}
	return rs.st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := rs.st.UpdateNRMDecisions(ctx, tx, &n); err != nil {
			return err
		}
		_, err := rs.alog.Append(ctx, tx, a, audit.MetaFrom(ctx), audit.Entry{Operation: audit.Alteration, RecordType: "nrm_referral",
			RecordIDs: []string{n.ID}, Label: n.Reference, Fields: []string{"rg", "cg", "reconsideration"}})
		return err
	})
}

// NRMSummary is a financial year's NRM referrals counted: by age at
// exploitation, exploitation type, county lines flag and quarter, with the
// year before. Counts only.
type NRMSummary struct {
	Year, Before        domain.FiscalYear
	Total, TotalBefore  int
	ByAge               map[string]int
	ByType              map[string]int
	ByQuarter           [4]int
	ByQuarterBefore     [4]int
	CountyLines         int
	Under18Percent      int
	MostCommonType      string
	ChangePercent       int  // on the year before, whole percent
	ChangeKnown         bool // the year before had referrals
	RGOverdue           int
	PositiveRG, Decided int
}

// NRMSummary counts the NRM referrals (not Duty to Notify reports) made in
// fy, for referral coordinators.
func (rs *Referrals) NRMSummary(ctx context.Context, a domain.Actor, fy domain.FiscalYear) (NRMSummary, error) {
	if !a.Has(domain.RoleReferralCoordinator) {
		return NRMSummary{}, domain.ErrForbidden
	}
	out := NRMSummary{Year: fy, Before: fy - 1, ByAge: map[string]int{}, ByType: map[string]int{}}
	list, err := rs.st.NewNRMQuery(a).Between((fy-1).Start(), fy.End().AddDate(0, 0, 1)).List(ctx, 0)
	if err != nil {
		return out, err
	}
	today := rs.st.Now()
	for _, n := range list {
		if n.Kind != "nrm" {
			continue
		}
		q := quarterOf(n.ReferredOn)
		if !fy.Contains(n.ReferredOn) {
			out.TotalBefore++
			out.ByQuarterBefore[q]++
			continue
		}
		out.Total++
		out.ByQuarter[q]++
		out.ByAge[n.AgeAtExploitation]++
		for _, t := range n.ExploitationTypes {
			out.ByType[t]++
		}
		if n.CountyLines {
			out.CountyLines++
		}
		if n.RGOverdue(today) {
			out.RGOverdue++
		}
		if n.RGDecision != "pending" {
			out.Decided++
			if n.RGDecision == "positive" {
				out.PositiveRG++
			}
		}
	}
	if out.Total > 0 {
		out.Under18Percent = (out.ByAge["child"]*100 + out.Total/2) / out.Total
	}
	types := make([]string, 0, len(out.ByType))
	for t := range out.ByType {
		types = append(types, t)
	}
	sort.Slice(types, func(i, j int) bool {
		if out.ByType[types[i]] != out.ByType[types[j]] {
			return out.ByType[types[i]] > out.ByType[types[j]]
		}
		return types[i] < types[j]
	})
	if len(types) > 0 {
		out.MostCommonType = types[0]
	}
	if out.TotalBefore > 0 {
		out.ChangeKnown = true
		out.ChangePercent = ((out.Total-out.TotalBefore)*100 + out.TotalBefore/2) / out.TotalBefore
	}
	return out, nil
}

// quarterOf is the financial-year quarter of day, 0 (April to June) to 3.
func quarterOf(day time.Time) int {
	return ((int(day.Month()) + 8) % 12) / 3
}
