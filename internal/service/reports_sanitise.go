package service

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"alliance/internal/audit"
	"alliance/internal/authz"
	"alliance/internal/domain"
	"alliance/internal/store"
)

// MaySanitise reports whether a may write sanitised versions of police
// intelligence: a law-enforcement analyst.
func (r *Reports) MaySanitise(ctx context.Context, a domain.Actor) bool {
	p, err := r.Policy(ctx)
	return err == nil && a.Has(domain.RoleAnalyst) && a.LawEnforcement() && p.Allowed(a, authz.Create, domain.KindInfoReport)
}

// SanitiseInput is a sanitised version's title and text.
type SanitiseInput struct{ Title, Body string }

// Sanitise writes a sanitised version of the original report id for
// partners: source, method and identifying detail taken out by the
// intelligence unit. The version keeps the original's grading and
// classification, is handled C (readable by partners only once
// disseminated to them) and is linked to its original.
func (r *Reports) Sanitise(ctx context.Context, a domain.Actor, id string, in SanitiseInput) (domain.InfoReport, error) {
	if !r.MaySanitise(ctx, a) {
		return domain.InfoReport{}, domain.NotFound("information report", id)
	}
	p, err := r.Policy(ctx)
	if err != nil {
		return domain.InfoReport{}, err
	}
	orig, err := r.st.NewInfoReportQuery(p, a, authz.View).WithID(id).One(ctx)
	if err != nil {
		return domain.InfoReport{}, err
	}
	verr := &domain.ValidationError{}
	if orig.SanitisedFrom != "" {
		verr.Add("body", "This is already a sanitised version: sanitise its original")
	}
	v := domain.InfoReport{Title: strings.TrimSpace(in.Title), Body: strings.TrimSpace(in.Body), Scheme: orig.Scheme, SourceGrade: orig.SourceGrade, IntelGrade: orig.IntelGrade, LegacyHandling: orig.LegacyHandling,
		HandlingConditions: domain.SanitisedConditions, SanitisedFrom: orig.ID, CreatedBy: a.UserID, AreaID: orig.AreaID,
		Marking: domain.Marking{PartnershipID: a.PartnershipID, OriginAgencyID: a.AgencyID, Classification: orig.Marking.Classification,
			Handling: domain.HandlingC, Sanitised: true, OriginLawEnforcement: true}}
	checkReportText(verr, v.Title, v.Body)
	if v.Body != "" && v.Body == strings.TrimSpace(orig.Body) {
		verr.Add("body", "The sanitised text repeats the original: take out the source, the method and anything that identifies a person")
	}
	if err := verr.Err(); err != nil {
		return v, err
	}
	err = r.st.InGroupTx(ctx, a.PartnershipID, func(ctx context.Context, tx *sql.Tx) error { return r.insert(ctx, tx, a, &v) })
	return v, err
}

// Dissemination is one recipient a sanitised version was sent to.
type Dissemination = store.Dissemination

// DisseminateInput says to whom a sanitised version goes, why and under
// which information sharing agreement.
type DisseminateInput struct {
	Agencies []string // agency IDs
	Types    []string // agency type codes
	ISAID    string
	Purpose  string
}

// Disseminate sends a sanitised version written by a's agency to the
// agencies and agency types in, under an agreement in force: the
// recipients join its handling conditions (so the policy lets them read
// it), and it is recorded as a disclosure with its recipients and
// agreement, all in one transaction.
func (r *Reports) Disseminate(ctx context.Context, a domain.Actor, id string, in DisseminateInput) error {
	if !r.MaySanitise(ctx, a) {
		return domain.NotFound("information report", id)
	}
	p, err := r.Policy(ctx)
	if err != nil {
		return err
	}
	v, err := r.st.NewInfoReportQuery(p, a, authz.Edit).WithID(id).One(ctx)
	if err != nil {
		return err
	}
	verr := &domain.ValidationError{}
	if v.SanitisedFrom == "" {
		verr.Add("agencies", "Only a sanitised version may be disseminated: write one first")
		return verr
	}
	now := r.st.Now()
	list, names, err := r.recipients(ctx, a.PartnershipID, v.ID, in, now, verr)
	if err != nil {
		return err
	}
	if len(in.Agencies)+len(in.Types) == 0 {
		verr.Add("agencies", "Choose who to disseminate it to: agencies or kinds of agency")
	}
	purpose := strings.TrimSpace(in.Purpose)
	switch n := utf8.RuneCountInString(purpose); {
	case n == 0:
		verr.Add("purpose", "Enter the purpose of the dissemination")
	case n > 500:
		verr.Add("purpose", "The purpose must be 500 characters or fewer")
	}
	isas, err := r.st.ISAs(ctx, a.PartnershipID)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(isas, func(x domain.ISA) bool { return x.ID == in.ISAID })
	if i < 0 {
		verr.Add("isa", "Choose the information sharing agreement it relies on")
	} else if ok, why := isas[i].Usable(now); !ok {
		verr.Add("isa", "That agreement cannot be relied on: %s", why)
	}
	if err := verr.Err(); err != nil {
		return err
	}
	for j := range list {
		list[j].ISAID, list[j].Purpose = in.ISAID, purpose
	}
	recipients := strings.Join(names, ", ")
	return r.st.InGroupTx(ctx, a.PartnershipID, func(ctx context.Context, tx *sql.Tx) error {
		if err := r.st.Disseminate(ctx, tx, a.PartnershipID, list, a.UserID); err != nil {
			return err
		}
		if err := r.st.InsertDisclosure(ctx, tx, store.DisclosureRecord{PartnershipID: a.PartnershipID, ActorID: a.UserID, AgencyID: a.AgencyID,
			RecordType: string(domain.KindInfoReport), RecordCount: 1, Purpose: purpose, Recipients: recipients, ISAID: in.ISAID,
			Channel: "dissemination", At: now}); err != nil {
			return err
		}
		_, err := r.alog.Append(ctx, tx, a, audit.MetaFrom(ctx), audit.Entry{Operation: audit.Disclosure, RecordType: string(domain.KindInfoReport),
			RecordIDs: []string{v.ID}, Label: "Dissemination of " + v.Reference, Justification: purpose, Recipients: recipients, ISAID: in.ISAID})
		return err
	})
}

// recipients checks the agencies and kinds of agency a dissemination
// names, adding problems to verr, and returns a row and a name for each.
func (r *Reports) recipients(ctx context.Context, partnershipID, reportID string, in DisseminateInput, now time.Time,
	verr *domain.ValidationError) ([]store.Dissemination, []string, error) {
	agencies, err := r.st.Agencies(ctx, partnershipID)
	if err != nil {
		return nil, nil, err
	}
	types, err := r.st.AgencyTypes(ctx)
	if err != nil {
		return nil, nil, err
	}
	var list []store.Dissemination
	var names []string
	for _, id := range in.Agencies {
		i := slices.IndexFunc(agencies, func(x domain.Agency) bool { return x.ID == id })
		if i < 0 {
			verr.Add("agencies", "Choose the agencies from the list")
			break
		}
		list = append(list, store.Dissemination{ReportID: reportID, AgencyID: id, At: now})
		names = append(names, agencies[i].Name)
	}
	for _, t := range in.Types {
		i := slices.IndexFunc(types, func(x domain.AgencyTypeInfo) bool { return string(x.Code) == t })
		if i < 0 {
			verr.Add("types", "Choose the kinds of agency from the list")
			break
		}
		list = append(list, store.Dissemination{ReportID: reportID, AgencyType: domain.AgencyType(t), At: now})
		names = append(names, "every "+strings.ToLower(types[i].Name))
	}
	return list, names, nil
}

// Sanitised lists the sanitised versions of an original that a may see,
// and, for each version a's agency wrote, to whom it was disseminated.
func (r *Reports) Sanitised(ctx context.Context, a domain.Actor, originalID string) ([]domain.InfoReport, error) {
	p, err := r.Policy(ctx)
	if err != nil {
		return nil, err
	}
	return r.st.NewInfoReportQuery(p, a, authz.List).WithSanitisedFrom(originalID).List(ctx, 50, 0)
}

// Disseminations lists to whom a report a may see was disseminated; only
// its writers' agency sees the list.
func (r *Reports) Disseminations(ctx context.Context, a domain.Actor, rep domain.InfoReport) ([]store.Dissemination, error) {
	if rep.Marking.OriginAgencyID != a.AgencyID {
		return nil, nil
	}
	return r.st.Disseminations(ctx, rep.ID)
}

// LinkedRecord is a group or entity a report concerns, as the viewer may
// see it.
type LinkedRecord struct {
	Kind            domain.NodeKind
	ID              string
	Reference, Name string
}

// MayLink reports whether a may link report rep to register records: its
// agency wrote it and a may edit reports.
func (r *Reports) MayLink(ctx context.Context, a domain.Actor, rep domain.InfoReport) bool {
	p, err := r.Policy(ctx)
	return err == nil && p.Can(a, authz.Edit, domain.KindInfoReport, rep.Marking) == nil
}

// Link records that the report id concerns the group or entity kind/nodeID
// (found with Register.Resolve, so one a may see): a combination in the
// audit log naming both. Linking twice changes nothing.
func (r *Reports) Link(ctx context.Context, a domain.Actor, id string, kind domain.NodeKind, nodeID string) error {
	p, err := r.Policy(ctx)
	if err != nil {
		return err
	}
	rep, err := r.st.NewInfoReportQuery(p, a, authz.Edit).WithID(id).One(ctx)
	if err != nil {
		return err
	}
	var n int
	switch kind {
	case domain.NodeOCG:
		n, err = r.st.NewOCGQuery(p, a, authz.View).WithID(nodeID).Count(ctx)
	case domain.NodeEntity:
		n, err = r.st.NewEntityQuery(p, a, authz.View).WithID(nodeID).Count(ctx)
	}
	if err != nil {
		return err
	}
	if n != 1 {
		verr := &domain.ValidationError{}
		verr.Add("link", "No group or person you may see has that reference")
		return verr
	}
	return r.st.InGroupTx(ctx, a.PartnershipID, func(ctx context.Context, tx *sql.Tx) error {
		added, err := r.st.InsertReportLink(ctx, tx, a.PartnershipID, rep.ID, store.ReportLink{Kind: kind, ID: nodeID}, a.UserID)
		if err != nil || !added {
			return err
		}
		_, err = r.alog.Append(ctx, tx, a, audit.MetaFrom(ctx), audit.Entry{Operation: audit.Combination, RecordType: string(domain.KindInfoReport),
			RecordIDs: []string{rep.ID, nodeID}, Label: rep.Reference + " linked to a " + string(kind)})
		return err
	})
}

// Linked lists the records report rep concerns that a may see, by name.
// The caller has already been allowed to see rep; the names shown are
// logged as consulted with the report.
func (r *Reports) Linked(ctx context.Context, a domain.Actor, rep domain.InfoReport) ([]LinkedRecord, error) {
	p, err := r.Policy(ctx)
	if err != nil {
		return nil, err
	}
	links, err := r.st.ReportLinks(ctx, rep.ID)
	if err != nil || len(links) == 0 {
		return nil, err
	}
	var ocgs, ents []string
	for _, l := range links {
		if l.Kind == domain.NodeOCG {
			ocgs = append(ocgs, l.ID)
		} else {
			ents = append(ents, l.ID)
		}
	}
	var out []LinkedRecord
	if len(ocgs) > 0 && p.Allowed(a, authz.List, domain.KindOCG) {
		list, err := r.st.NewOCGQuery(p, a, authz.List).WithIDs(ocgs).ByName().List(ctx, 0, 0)
		if err != nil {
			return nil, err
		}
		for _, o := range list {
			out = append(out, LinkedRecord{Kind: domain.NodeOCG, ID: o.ID, Reference: o.Reference, Name: o.Title()})
		}
	}
	if len(ents) > 0 && p.Allowed(a, authz.List, domain.KindEntity) {
		list, err := r.st.NewEntityQuery(p, a, authz.List).WithIDs(ents).List(ctx, 0, 0)
		if err != nil {
			return nil, err
		}
		for _, e := range list {
			out = append(out, LinkedRecord{Kind: domain.NodeEntity, ID: e.ID, Reference: e.Reference, Name: e.Name})
		}
	}
	if len(out) == 0 {
		return nil, nil
	}
	byKind := map[domain.RecordKind][]string{}
	for _, l := range out {
		k := domain.KindEntity
		if l.Kind == domain.NodeOCG {
			k = domain.KindOCG
		}
		byKind[k] = append(byKind[k], l.ID)
	}
	return out, r.st.InGroupTx(ctx, a.PartnershipID, func(ctx context.Context, tx *sql.Tx) error {
		for _, k := range []domain.RecordKind{domain.KindOCG, domain.KindEntity} {
			if ids := byKind[k]; len(ids) > 0 {
				if _, err := r.alog.Append(ctx, tx, a, audit.MetaFrom(ctx), audit.Entry{Operation: audit.Consultation, RecordType: string(k),
					RecordIDs: ids, Label: "Records linked to " + rep.Reference}); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// About lists, newest first, up to 20 reports a may see that are linked to
// the group or entity nodeID, logging them as consulted.
func (r *Reports) About(ctx context.Context, a domain.Actor, nodeID string) ([]domain.InfoReport, error) {
	p, err := r.Policy(ctx)
	if err != nil {
		return nil, err
	}
	if !p.Allowed(a, authz.List, domain.KindInfoReport) {
		return nil, nil
	}
	list, err := r.st.NewInfoReportQuery(p, a, authz.List).LinkedTo(nodeID).List(ctx, 20, 0)
	if err != nil || len(list) == 0 {
		return nil, err
	}
	ids := make([]string, len(list))
	for i, x := range list {
		ids[i] = x.ID
	}
	return list, r.st.InGroupTx(ctx, a.PartnershipID, func(ctx context.Context, tx *sql.Tx) error {
		_, err := r.alog.Append(ctx, tx, a, audit.MetaFrom(ctx), audit.Entry{Operation: audit.Consultation, RecordType: string(domain.KindInfoReport),
			RecordIDs: ids, Label: "Reports about a register record"})
		return err
	})
}
