package service

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"alliance/internal/audit"
	"alliance/internal/domain"
	"alliance/internal/eligibility"
	"alliance/internal/store"
)

// Referrals serves referrals of young people to prevention programmes,
// behind the firewall (store.ReferralQuery): coordinators read all of the
// partnership's, a worker those allocated to them, a referrer those they
// made. Every read is a consultation and every change in the audit log.
type Referrals struct {
	st   *store.Store
	log  *slog.Logger
	alog *audit.Log
}

// NewReferrals returns the service.
func NewReferrals(st *store.Store, log *slog.Logger, alog *audit.Log) *Referrals {
	if log == nil {
		log = slog.Default()
	}
	return &Referrals{st: st, log: log, alog: alog}
}

// mayRefer are the roles that refer young people: police officers (LROs,
// analysts), partner officers and coordinators.
var mayRefer = []domain.Role{domain.RolePartnerOfficer, domain.RoleReferralCoordinator, domain.RoleLRO, domain.RoleAnalyst}

// MayRefer reports whether a may make referrals.
func (rs *Referrals) MayRefer(a domain.Actor) bool { return a.HasAny(mayRefer...) }

// ReferralInput is a referral as the form gives it.
type ReferralInput struct {
	ProgrammeID                      string
	SubjectName, SubjectDOB, Gender  string
	Source                           string
	IncidentRef, IncidentOn          string
	ReferredOn                       string // empty: today
	Offences, OpenTo                 []string
	InCustody, ProvableCrime, Knives string // "yes", "no" or "" (not known)
	ConsentYoungOn, ConsentParentOn  string
}

// factFields says which form field holds each fact, so a failed rule is
// shown beside the answer that failed it.
var factFields = map[string]string{"age": "subject_dob", "offence": "offences", "referral_source": "source", "open_to": "open_to",
	"in_custody": "in_custody", "provable_crime": "provable_crime", "parental_consent": "consent_parent_on", "knife_concern": "knives"}

// Refer checks in and stores the referral, routed by the programme's
// rules, with its collection entry. A referral that fails a rule is
// refused naming the rule (a *domain.ValidationError on the field that
// failed it), and nothing is stored.
func (rs *Referrals) Refer(ctx context.Context, a domain.Actor, in ReferralInput) (domain.Referral, error) {
	if !rs.MayRefer(a) {
		return domain.Referral{}, domain.ErrForbidden
	}
	verr := &domain.ValidationError{}
	prog, err := rs.st.Programme(ctx, a.PartnershipID, in.ProgrammeID)
	if err != nil || !prog.Active {
		verr.Add("programme", "Choose a programme that is taking referrals")
		return domain.Referral{}, verr
	}
	rules, err := eligibility.Parse([]byte(prog.Rules))
	if err != nil {
		return domain.Referral{}, fmt.Errorf("referral: programme %s: %w", prog.Name, err)
	}
	r, facts := rs.check(a, prog, in, verr)
	if err := verr.Err(); err != nil {
		return r, err
	}
	if ok, failed := rules.Check(facts); !ok {
		verr.Add(factFields[failed.Fact], "Not eligible for %s: %s", prog.Name, failed.Message)
		return r, verr
	}
	r.Route = rules.Route(facts)
	b, err := json.Marshal(facts)
	if err != nil {
		return r, fmt.Errorf("referral: facts: %w", err)
	}
	r.Facts = string(b)
	err = rs.st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := rs.st.InsertReferral(ctx, tx, &r); err != nil {
			return err
		}
		_, err := rs.alog.Append(ctx, tx, a, audit.MetaFrom(ctx), audit.Entry{Operation: audit.Collection, RecordType: "referral",
			RecordIDs: []string{r.ID}, Label: r.Reference})
		return err
	})
	return r, err
}

// check reads in into a referral and the facts its programme's rules are
// checked against, adding each problem to verr.
func (rs *Referrals) check(a domain.Actor, prog domain.Programme, in ReferralInput, verr *domain.ValidationError) (domain.Referral, eligibility.Facts) {
	r := domain.Referral{PartnershipID: a.PartnershipID, ProgrammeID: prog.ID, ProgrammeName: prog.Name, SubjectName: strings.TrimSpace(in.SubjectName),
		SubjectGender: in.Gender, Source: domain.ReferralSource(in.Source), IncidentRef: strings.TrimSpace(in.IncidentRef),
		Status: domain.ReferralReceived, AgencyID: a.AgencyID, CreatedBy: a.UserID}
	switch n := utf8.RuneCountInString(r.SubjectName); {
	case n == 0:
		verr.Add("subject_name", "Enter the young person's name")
	case n > 200 || !domain.StorableText(r.SubjectName):
		verr.Add("subject_name", "The name must be 200 characters or fewer, without control characters")
	}
	if utf8.RuneCountInString(r.IncidentRef) > 60 || !domain.StorableText(r.IncidentRef) {
		verr.Add("incident_ref", "The incident or crime reference must be 60 characters or fewer")
	}
	if !slices.Contains([]string{"", "female", "male", "other", "unknown"}, r.SubjectGender) {
		verr.Add("gender", "Choose a gender from the list")
	}
	if !slices.ContainsFunc(domain.ReferralSources, func(s domain.SourceOption) bool { return s.Code == r.Source }) {
		verr.Add("source", "Choose who is making the referral")
	}
	dob, referred, incident, young, parent := rs.dates(in, verr)
	facts := eligibility.Facts{Numbers: map[string]int{}, Words: map[string][]string{}, Flags: map[string]bool{}}
	if dob != nil && referred != nil {
		if dob.After(*referred) {
			verr.Add("subject_dob", "The date of birth cannot be after the referral")
		} else {
			r.AgeAtReferral = domain.AgeOn(*dob, *referred)
			facts.Numbers["age"] = r.AgeAtReferral
			if r.AgeAtReferral < prog.MinAge || r.AgeAtReferral > prog.MaxAge {
				verr.Add("subject_dob", "%s is %d on the date of the referral: %s is for ages %d to %d", firstWord(r.SubjectName), r.AgeAtReferral,
					prog.Name, prog.MinAge, prog.MaxAge)
			}
		}
		r.SubjectDOB = *dob
	}
	if referred != nil {
		r.ReferredOn = *referred
	}
	if incident != nil {
		r.IncidentOn = *incident
	}
	r.ConsentYoung, r.ConsentParent = young, parent
	factsOf(&facts, r.Source, in, parent != nil, verr)
	return r, facts
}

// dates reads a referral's dates: the date of birth, the referral (today
// when not given), the incident and the two consents, none in the future,
// the incident not after the referral, consent not before the incident.
func (rs *Referrals) dates(in ReferralInput, verr *domain.ValidationError) (dob, referred, incident, young, parent *time.Time) {
	today := rs.st.Now().Truncate(24 * time.Hour)
	date := func(field, v, what string, required bool) *time.Time {
		v = strings.TrimSpace(v)
		if v == "" {
			if required {
				verr.Add(field, "Enter %s, like 14/03/2026", what)
			}
			return nil
		}
		d, ok := domain.ParseDay(v)
		switch {
		case !ok:
			verr.Add(field, "%s is not a date: write it like 14/03/2026", capitalise(what))
			return nil
		case d.After(today):
			verr.Add(field, "%s cannot be in the future", capitalise(what))
			return nil
		}
		return &d
	}
	dob = date("subject_dob", in.SubjectDOB, "the date of birth", true)
	referred = &today
	if strings.TrimSpace(in.ReferredOn) != "" {
		referred = date("referred_on", in.ReferredOn, "the date of the referral", true)
	}
	incident = date("incident_on", in.IncidentOn, "the date of the incident", true)
	young = date("consent_young_on", in.ConsentYoungOn, "the date the young person consented", false)
	parent = date("consent_parent_on", in.ConsentParentOn, "the date the parent or guardian consented", false)
	if incident != nil && referred != nil && incident.After(*referred) {
		verr.Add("incident_on", "The incident cannot be after the referral")
	}
	for _, c := range []struct {
		field string
		d     *time.Time
	}{{"consent_young_on", young}, {"consent_parent_on", parent}} {
		if c.d != nil && incident != nil && c.d.Before(*incident) {
			verr.Add(c.field, "Consent cannot be dated before the incident the referral is about")
		}
	}
	return dob, referred, incident, young, parent
}

// factsOf adds to f the words and yes-or-no answers of in.
func factsOf(f *eligibility.Facts, source domain.ReferralSource, in ReferralInput, parentConsent bool, verr *domain.ValidationError) {
	f.Words["referral_source"] = []string{string(source)}
	f.Words["offence"] = in.Offences
	f.Words["open_to"] = in.OpenTo
	if in.Offences == nil {
		f.Words["offence"] = []string{}
	}
	if in.OpenTo == nil {
		f.Words["open_to"] = []string{}
	}
	for _, x := range []struct{ fact, field, v string }{{"in_custody", "in_custody", in.InCustody},
		{"provable_crime", "provable_crime", in.ProvableCrime}, {"knife_concern", "knives", in.Knives}} {
		switch x.v {
		case "yes":
			f.Flags[x.fact] = true
		case "no":
			f.Flags[x.fact] = false
		case "":
		default:
			verr.Add(x.field, "Answer yes or no")
		}
	}
	f.Flags["parental_consent"] = parentConsent
}

func firstWord(s string) string {
	if i := strings.IndexByte(s, ' '); i > 0 {
		return s[:i]
	}
	return s
}

// Caseload is one page of the referrals a may see.
type Caseload struct {
	Items                []domain.Referral
	Total, Page, Pages   int
	Programme, Status    string
	Programmes           []domain.Programme
	MayRefer, Coordinate bool
}

// CaseloadPerPage is how many referrals a caseload page lists.
const CaseloadPerPage = 50

// Caseload returns a page of the referrals a may see, filtered by
// programme and status, and logs it as a consultation.
func (rs *Referrals) Caseload(ctx context.Context, a domain.Actor, programme, status string, page int) (Caseload, error) {
	out := Caseload{Page: max(page, 1), Programme: programme, Status: status, MayRefer: rs.MayRefer(a),
		Coordinate: a.Has(domain.RoleReferralCoordinator)}
	var err error
	if out.Programmes, err = rs.st.Programmes(ctx, a.PartnershipID); err != nil {
		return out, err
	}
	q := func() *store.ReferralQuery {
		x := rs.st.NewReferralQuery(a)
		if programme != "" {
			x.WithProgramme(programme)
		}
		if status != "" {
			x.WithStatus(domain.ReferralStatus(status))
		}
		return x
	}
	if out.Total, err = q().Count(ctx); err != nil {
		return out, err
	}
	out.Pages = max(1, (out.Total+CaseloadPerPage-1)/CaseloadPerPage)
	if out.Items, err = q().List(ctx, CaseloadPerPage, (out.Page-1)*CaseloadPerPage); err != nil {
		return out, err
	}
	return out, rs.logRead(ctx, a, out.Items, "Caseload")
}

func (rs *Referrals) logRead(ctx context.Context, a domain.Actor, list []domain.Referral, label string) error {
	if len(list) == 0 {
		return nil
	}
	ids := make([]string, len(list))
	for i, r := range list {
		ids[i] = r.ID
	}
	return rs.st.InGroupTx(ctx, a.PartnershipID, func(ctx context.Context, tx *sql.Tx) error {
		_, err := rs.alog.Append(ctx, tx, a, audit.MetaFrom(ctx), audit.Entry{Operation: audit.Consultation, RecordType: "referral", RecordIDs: ids,
			Label: label, Justification: "Prevention referral work"})
		return err
	})
}

// ReferralView is a referral with its sessions.
type ReferralView struct {
	domain.Referral
	Sessions   []domain.ReferralSession
	Coordinate bool
}

// View returns one referral a may see, with its sessions, logged as a
// consultation; one a may not see is not found.
func (rs *Referrals) View(ctx context.Context, a domain.Actor, id string) (ReferralView, error) {
	r, err := rs.st.NewReferralQuery(a).WithID(id).One(ctx)
	if err != nil {
		return ReferralView{}, err
	}
	v := ReferralView{Referral: r, Coordinate: a.Has(domain.RoleReferralCoordinator)}
	if v.Sessions, err = rs.st.ReferralSessions(ctx, r.ID); err != nil {
		return v, err
	}
	return v, rs.logRead(ctx, a, []domain.Referral{r}, r.Reference)
}

// AddSession records a session of a referral a may see (its worker or a
// coordinator): not before the referral, not in the future. A session the
// young person attended moves a referral not yet engaged to engaged.
func (rs *Referrals) AddSession(ctx context.Context, a domain.Actor, id, heldOn string, attended bool, note string) error {
	r, err := rs.st.NewReferralQuery(a).WithID(id).One(ctx)
	if err != nil {
		return err
	}
	if !a.Has(domain.RoleReferralCoordinator) && r.WorkerID != a.UserID {
		return domain.ErrForbidden
	}
	verr := &domain.ValidationError{}
	d, ok := domain.ParseDay(heldOn)
	switch {
	case !ok:
		verr.Add("held_on", "Enter the date of the session, like 14/03/2026")
	case d.Before(r.ReferredOn):
		verr.Add("held_on", "The session cannot be before the referral")
	case d.After(rs.st.Now()):
		verr.Add("held_on", "The session cannot be in the future")
	}
	note = strings.TrimSpace(note)
	if utf8.RuneCountInString(note) > 2000 || !domain.StorableText(note) {
		verr.Add("note", "The note must be 2,000 characters or fewer")
	}
	if !r.Status.Open() {
		verr.Add("held_on", "The referral is %s: it takes no more sessions", strings.ToLower(r.Status.Label()))
	}
	if err := verr.Err(); err != nil {
		return err
	}
	return rs.st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := rs.st.InsertReferralSession(ctx, tx, &domain.ReferralSession{ReferralID: r.ID, HeldOn: d, Attended: attended, Note: note,
			CreatedBy: a.UserID}); err != nil {
			return err
		}
		if attended && r.Status != domain.ReferralEngaged {
			r.Status = domain.ReferralEngaged
			if err := rs.st.UpdateReferralStatus(ctx, tx, &r); err != nil {
				return err
			}
		}
		_, err := rs.alog.Append(ctx, tx, a, audit.MetaFrom(ctx), audit.Entry{Operation: audit.Alteration, RecordType: "referral",
			RecordIDs: []string{r.ID}, Label: r.Reference, Fields: []string{"session"}})
		return err
	})
}

// Outcomes a finished referral may have.
var referralOutcomes = []domain.ReferralOutcome{"completed", "partially_completed", "did_not_engage", "escalated"}

// SetStatus moves a referral on (coordinators only): to a status, with
// the worker it is allocated to (by e-mail, a user of the partnership) and,
// when it ends, its outcome.
func (rs *Referrals) SetStatus(ctx context.Context, a domain.Actor, id, status, outcome, workerEmail string) error {
	if !a.Has(domain.RoleReferralCoordinator) {
		return domain.ErrForbidden
	}
	r, err := rs.st.NewReferralQuery(a).WithID(id).One(ctx)
	if err != nil {
		return err
	}
	verr := &domain.ValidationError{}
	st := domain.ReferralStatus(status)
	if !slices.Contains(domain.ReferralStatuses, st) {
		verr.Add("status", "Choose a status")
	}
	r.Status, r.Outcome = st, domain.ReferralOutcome(outcome)
	if st.Open() {
		r.Outcome = ""
	} else if !slices.Contains(referralOutcomes, r.Outcome) {
		verr.Add("outcome", "Choose how the referral ended")
	}
	if email := strings.TrimSpace(workerEmail); email != "" {
		users, err := rs.st.Users(ctx, a.PartnershipID)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(users, func(u domain.User) bool { return strings.EqualFold(u.Email, email) && u.Active })
		if i < 0 {
			verr.Add("worker", "No active user of the partnership has that e-mail address")
		} else {
			r.WorkerID = users[i].ID
		}
	}
	if st == domain.ReferralAllocated && r.WorkerID == "" {
		verr.Add("worker", "Give the e-mail address of the worker it is allocated to")
	}
	if err := verr.Err(); err != nil {
		return err
	}
	return rs.st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := rs.st.UpdateReferralStatus(ctx, tx, &r); err != nil {
			return err
		}
		_, err := rs.alog.Append(ctx, tx, a, audit.MetaFrom(ctx), audit.Entry{Operation: audit.Alteration, RecordType: "referral",
			RecordIDs: []string{r.ID}, Label: r.Reference, Fields: []string{"status", "outcome", "worker"}})
		return err
	})
}

// ProgrammeSummary is a programme's year: how many were referred, by
// status and outcome, how many engaged (attended a session) and
// completed. It holds counts only.
type ProgrammeSummary struct {
	Programme  domain.Programme
	Year       domain.FiscalYear
	Referrals  int
	Engaged    int
	Completed  int
	ByStatus   map[domain.ReferralStatus]int
	ByOutcome  map[domain.ReferralOutcome]int
	Statuses   []domain.ReferralStatus
	StillOpen  int
	EngagedPct int // whole percent of referrals
}

// Summary returns the programme's summary for the financial year (the
// referrals made in it), for referral coordinators.
func (rs *Referrals) Summary(ctx context.Context, a domain.Actor, programmeID string, fy domain.FiscalYear) (ProgrammeSummary, error) {
	if !a.Has(domain.RoleReferralCoordinator) {
		return ProgrammeSummary{}, domain.ErrForbidden
	}
	prog, err := rs.st.Programme(ctx, a.PartnershipID, programmeID)
	if err != nil {
		return ProgrammeSummary{}, err
	}
	counts, err := rs.st.ReferralCounts(ctx, a.PartnershipID, prog.ID, fy.Start(), fy.End().AddDate(0, 0, 1))
	if err != nil {
		return ProgrammeSummary{}, err
	}
	out := ProgrammeSummary{Programme: prog, Year: fy, ByStatus: map[domain.ReferralStatus]int{}, ByOutcome: map[domain.ReferralOutcome]int{},
		Statuses: domain.ReferralStatuses}
	for _, c := range counts {
		out.Referrals += c.Count
		out.Engaged += c.Attended
		out.ByStatus[c.Status] += c.Count
		if c.Outcome != "" {
			out.ByOutcome[c.Outcome] += c.Count
		}
		if c.Status.Open() {
			out.StillOpen += c.Count
		}
	}
	out.Completed = out.ByStatus[domain.ReferralCompleted]
	if out.Referrals > 0 {
		out.EngagedPct = (out.Engaged*100 + out.Referrals/2) / out.Referrals
	}
	return out, nil
}
