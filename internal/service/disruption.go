package service

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"alliance/internal/audit"
	"alliance/internal/authz"
	"alliance/internal/domain"
	"alliance/internal/store"
)

// Disruptions is disruption recording (DOMAIN.md §2): partner officers,
// analysts and LROs record disruptions and activities; the disruption
// panel validates or returns submitted disruptions; every step is kept.
// Reads go through the scoped store queries; every write is audited in its
// own transaction.
type Disruptions struct {
	policyUser
	st   *store.Store
	log  *slog.Logger
	alog *audit.Log
}

// NewDisruptions returns the service.
func NewDisruptions(st *store.Store, log *slog.Logger, alog *audit.Log) *Disruptions {
	if log == nil {
		log = slog.Default()
	}
	return &Disruptions{st: st, log: log, alog: alog}
}

func (ds *Disruptions) policy(ctx context.Context) (authz.Policy, error) {
	return ds.policyOf(ctx, ds.st)
}

// MayRecord reports whether a may record disruptions at all.
func (ds *Disruptions) MayRecord(ctx context.Context, a domain.Actor) bool {
	p, err := ds.policy(ctx)
	return err == nil && p.Allowed(a, authz.Create, domain.KindDisruption)
}

// MayOpenRecords reports whether p lets a open disruption records at all:
// the roles that hold read on disruptions. Board members hold only count,
// so that the dashboard can count disruptions, and see figures, never the
// records. It reads the permissions, not role names.
func MayOpenRecords(p authz.Policy, a domain.Actor) bool {
	return p.Allowed(a, authz.View, domain.KindDisruption)
}

// mayOpen is MayOpenRecords under the current policy; a policy that cannot
// be read opens nothing.
func (ds *Disruptions) mayOpen(ctx context.Context, a domain.Actor) bool {
	p, err := ds.policy(ctx)
	return err == nil && MayOpenRecords(p, a)
}

// MayValidate reports whether a sits on the disruption panel.
func (ds *Disruptions) MayValidate(a domain.Actor) bool { return a.Has(domain.RolePanelMember) }

// DisruptionForm is the reference data the recording form offers.
type DisruptionForm struct {
	Tactics      []domain.Tactic
	OutcomeTypes []domain.OutcomeType
	SeizureTypes []domain.SeizureType
	Threats      []domain.Threat
	Units        []domain.OrgUnit
	Agencies     []domain.Agency
}

// Form returns the reference data of a's partnership.
func (ds *Disruptions) Form(ctx context.Context, a domain.Actor) (DisruptionForm, error) {
	var f DisruptionForm
	var err error
	if f.Tactics, err = ds.st.Tactics(ctx); err != nil {
		return f, err
	}
	if f.OutcomeTypes, err = ds.st.OutcomeTypes(ctx); err != nil {
		return f, err
	}
	if f.SeizureTypes, err = ds.st.SeizureTypes(ctx); err != nil {
		return f, err
	}
	if f.Threats, err = ds.st.Threats(ctx); err != nil {
		return f, err
	}
	if f.Units, err = ds.st.OrgUnits(ctx, a.PartnershipID, ""); err != nil {
		return f, err
	}
	if f.Agencies, err = ds.st.Agencies(ctx, a.PartnershipID); err != nil {
		return f, err
	}
	return f, nil
}

// OutcomeInput is one outcome as typed: numbers as text, money in pounds,
// a sentence in years and months.
type OutcomeInput struct {
	Type, SeizureType, DrugClass, AgencyID string
	Quantity, Grams, Value, Years, Months  string
	Note                                   string
}

// DisruptionInput is a disruption as typed on the form or sent to the API.
type DisruptionInput struct {
	Subject    string // ocg, individual or theme
	OCGID      string
	EntityID   string
	Theme      string
	ActivityID string
	FourP      string
	Impact     string
	Rationale  string
	On         string // the day, like 22/11/2026 or 2026-11-22
	UnitID     string
	LeadAgency string
	Agencies   []string
	Tactics    []string
	Threats    []string
	Outcomes   []OutcomeInput
	Narrative  string
	APMISRef   string
	Marking    domain.MarkingInput
	// Submit sends the disruption to the panel straight away; otherwise
	// it is kept as a draft.
	Submit bool
	// ConfirmUnusual says the recorder has checked figures far beyond what
	// one disruption usually counts (see unusualOutcome) and they are right.
	ConfirmUnusual bool
}

// Limits of a disruption's text, stated on the form: a theme or place is a
// name (200 characters, like names elsewhere), the rest are prose.
const (
	MaxDisruptionTheme     = 200
	MaxDisruptionRationale = 2000
	MaxDisruptionNarrative = 10000
	MaxAPMISRef            = 50
	MaxOutcomeNote         = 500
)

// EarliestDisruption is the first day a disruption may be dated: the start
// of the financial year 2010/11, before the 4P disruption recording this
// follows (the OCG mapping of 2011). Earlier dates are typing mistakes
// ("1900", "2001" for "2021").
func EarliestDisruption() time.Time { return time.Date(2010, time.April, 1, 0, 0, 0, 0, time.UTC) }

// checkLength adds a problem to verr when s is longer than max characters.
func checkLength(verr *domain.ValidationError, field, what, s string, max int) {
	if n := utf8.RuneCountInString(s); n > max {
		verr.Add(field, "%s must be %s characters or fewer (this is %s)", what, domain.FormatCount(int64(max)), domain.FormatCount(int64(n)))
	}
}

// check turns in into a disruption, adding every problem to verr under the
// form's field names.
func (ds *Disruptions) check(ctx context.Context, p authz.Policy, a domain.Actor, in DisruptionInput, verr *domain.ValidationError) (domain.Disruption, error) {
	d := domain.Disruption{Subject: domain.SubjectKind(strings.TrimSpace(in.Subject)), Theme: strings.TrimSpace(in.Theme),
		Rationale: strings.TrimSpace(in.Rationale), Narrative: strings.TrimSpace(in.Narrative), APMISRef: strings.TrimSpace(in.APMISRef),
		CreatedBy: a.UserID, Status: domain.DisruptionDraft}
	form, err := ds.Form(ctx, a)
	if err != nil {
		return d, err
	}
	if err := ds.checkSubject(ctx, p, a, in, &d, verr); err != nil {
		return d, err
	}
	if fp, ok := domain.ParseFourP(in.FourP); ok {
		d.FourP = fp
	} else {
		verr.Add("four_p", domain.MsgFourPRequired)
	}
	if imp := domain.Impact(strings.ToLower(strings.TrimSpace(in.Impact))); imp.Valid() {
		d.Impact = imp
	} else {
		verr.Add("impact", domain.MsgImpactRequired)
	}
	if d.Rationale == "" {
		verr.Add("rationale", "Explain why the disruption had the impact you chose")
	}
	checkLength(verr, "theme", "The theme or place", d.Theme, MaxDisruptionTheme)
	checkLength(verr, "rationale", "Why this impact", d.Rationale, MaxDisruptionRationale)
	checkLength(verr, "narrative", "The narrative", d.Narrative, MaxDisruptionNarrative)
	checkLength(verr, "apmis_ref", "The APMIS reference", d.APMISRef, MaxAPMISRef)
	today := domain.UKDay(ds.st.Now())
	switch on, ok := domain.ParseDay(in.On); {
	case strings.TrimSpace(in.On) == "":
		verr.Add("disrupted_on", "Enter the date of the disruption, like 22/11/2026")
	case !ok:
		verr.Add("disrupted_on", "Enter a real date, like 22/11/2026")
	case on.After(today):
		verr.Add("disrupted_on", "The date of the disruption must be today or in the past")
	case on.Before(EarliestDisruption()):
		verr.Add("disrupted_on", "The date of the disruption must be on or after %s: check the year", domain.FormatUK(EarliestDisruption()))
	default:
		d.On = on
	}
	if id := strings.TrimSpace(in.UnitID); slices.ContainsFunc(form.Units, func(u domain.OrgUnit) bool { return u.ID == id }) {
		d.UnitID = id
	} else {
		verr.Add("unit", "Choose the ward (or, when no ward fits, the district) the disruption is reported at")
	}
	agencyOK := func(id string) bool {
		return slices.ContainsFunc(form.Agencies, func(x domain.Agency) bool { return x.ID == id })
	}
	if id := strings.TrimSpace(in.LeadAgency); agencyOK(id) {
		d.LeadAgencyID = id
	} else {
		verr.Add("lead_agency", "Choose the lead agency")
	}
	checkTags(form, in, &d, agencyOK, verr)
	unusual := false
	for i, oi := range in.Outcomes {
		field := fmt.Sprintf("outcome-%d", i+1)
		o, ok := checkOutcome(form, oi, field, agencyOK, verr)
		if !ok {
			continue
		}
		d.Outcomes = append(d.Outcomes, o)
		if msg := unusualOutcome(o); msg != "" && !in.ConfirmUnusual && !verr.Has(field+"-quantity") {
			verr.Add(unusualField(o, field), "%s: check it, and if it is right tick \"These figures are right\"", msg)
			unusual = true
		}
	}
	if unusual {
		verr.Add("confirm_unusual", "Check the figures marked and tick \"These figures are right\" if they are")
	}
	return d, nil
}

// Plausible bounds of one outcome line: beyond them a figure is far more
// than one disruption usually counts (a typing slip such as 1,000,000
// firearms), so the recorder is asked to confirm it.
const (
	unusualCount = 500         // people arrested, warrants, items…
	unusualItems = 10_000      // items in one seizure
	unusualGrams = 1_000_000   // one tonne of drugs
	unusualPence = 100_000_000 // £1 million
)

// unusualOutcome says what is unusual about o, or "" when nothing is.
func unusualOutcome(o domain.Outcome) string {
	switch {
	case o.SeizureType == "" && o.DrugClass == "" && o.Months == 0 && o.Quantity > unusualCount:
		return fmt.Sprintf("%s is far more than one disruption usually counts", domain.FormatCount(int64(o.Quantity)))
	case o.SeizureType != "" && o.Quantity > unusualItems:
		return fmt.Sprintf("%s items is far more than one seizure usually holds", domain.FormatCount(int64(o.Quantity)))
	case o.Grams > unusualGrams:
		return fmt.Sprintf("%s grams is more than a tonne", domain.FormatCount(int64(o.Grams)))
	case o.ValuePence > unusualPence:
		return fmt.Sprintf("%s is more than £1 million", domain.FormatPounds(o.ValuePence))
	}
	return ""
}

// unusualField is the field of outcome line field that unusualOutcome
// flags.
func unusualField(o domain.Outcome, field string) string {
	switch {
	case o.Grams > unusualGrams:
		return field + "-grams"
	case o.ValuePence > unusualPence && !(o.SeizureType != "" && o.Quantity > unusualItems):
		return field + "-value"
	}
	return field + "-quantity"
}

// checkSubject sets what disruption d was against from in (a group or a
// person a can see, or a theme or place) and the activity it belongs to,
// adding to verr what is wrong with them.
func (ds *Disruptions) checkSubject(ctx context.Context, p authz.Policy, a domain.Actor, in DisruptionInput, d *domain.Disruption, verr *domain.ValidationError) error {
	switch d.Subject {
	case domain.SubjectOCG, domain.SubjectIndividual, domain.SubjectTheme:
	default:
		verr.Add("subject", "Choose what the disruption was against: a group, an individual, or a theme or place")
	}
	if id := strings.TrimSpace(in.OCGID); id != "" {
		o, err := ds.st.NewOCGQuery(p, a, authz.View).WithID(id).One(ctx)
		switch {
		case err == nil:
			d.OCGID = o.ID
		case errors.Is(err, domain.ErrNotFound):
			verr.Add("ocg", "Choose a group you can see")
		default:
			return err
		}
	} else if d.Subject == domain.SubjectOCG {
		verr.Add("ocg", "Choose the group the disruption was against")
	}
	if id := strings.TrimSpace(in.EntityID); id != "" {
		list, err := ds.st.NewEntityQuery(p, a, authz.View).WithID(id).List(ctx, 1, 0)
		switch {
		case err != nil:
			return err
		case len(list) == 0 || list[0].Kind != domain.EntityPerson:
			verr.Add("entity", "Choose a person you can see")
		default:
			d.EntityID = list[0].ID
		}
	} else if d.Subject == domain.SubjectIndividual {
		verr.Add("entity", "Choose the person the disruption was against")
	}
	if d.Subject == domain.SubjectTheme && d.Theme == "" {
		verr.Add("theme", "Enter the theme or place the disruption was against")
	}
	if id := strings.TrimSpace(in.ActivityID); id != "" {
		act, err := ds.st.Activity(ctx, p, a, id)
		switch {
		case errors.Is(err, domain.ErrNotFound):
			verr.Add("activity", "Choose an activity you can see")
		case err != nil:
			return err
		case act.ClosedOn != nil:
			verr.Add("activity", "%s is closed: choose an open activity", act.Reference)
		default:
			d.ActivityID = act.ID
		}
	}
	return nil
}

// checkTags sets disruption d's contributing agencies, tactics and
// threats from in, each from the form's choices, adding to verr what is
// wrong with them (every disruption has a threat).
func checkTags(form DisruptionForm, in DisruptionInput, d *domain.Disruption, agencyOK func(string) bool, verr *domain.ValidationError) {
	for _, id := range in.Agencies {
		if id = strings.TrimSpace(id); id == "" {
			continue
		}
		if !agencyOK(id) {
			verr.Add("agencies", "Choose contributing agencies of the partnership")
			break
		}
		d.Agencies = append(d.Agencies, id)
	}
	for _, t := range in.Tactics {
		if t = strings.TrimSpace(t); t == "" {
			continue
		}
		if !slices.ContainsFunc(form.Tactics, func(x domain.Tactic) bool { return x.Code == t }) {
			verr.Add("tactics", "%q is not a tactic", t)
			break
		}
		d.Tactics = append(d.Tactics, t)
	}
	for _, t := range in.Threats {
		if t = strings.TrimSpace(t); t == "" {
			continue
		}
		if !slices.ContainsFunc(form.Threats, func(x domain.Threat) bool { return x.Code == t }) {
			verr.Add("threats", "%q is not a threat", t)
			break
		}
		d.Threats = append(d.Threats, t)
	}
	if len(d.Threats) == 0 && !verr.Has("threats") {
		// DOMAIN.md §10 rule 3: every disruption is linked to a threat.
		verr.Add("threats", domain.MsgThreatsRequired)
	}
}

// checkOutcome checks one outcome row; a row with no type and no figures is
// an unused line of the form and is skipped.
func checkOutcome(form DisruptionForm, in OutcomeInput, field string, agencyOK func(string) bool, verr *domain.ValidationError) (domain.Outcome, bool) {
	o := domain.Outcome{Type: strings.TrimSpace(in.Type), Note: strings.TrimSpace(in.Note)}
	checkLength(verr, field+"-note", "The note", o.Note, MaxOutcomeNote)
	blank := o.Type == "" && strings.TrimSpace(in.Quantity+in.Grams+in.Value+in.Years+in.Months+in.SeizureType+in.DrugClass+in.AgencyID+in.Note) == ""
	if blank {
		return o, false
	}
	i := slices.IndexFunc(form.OutcomeTypes, func(t domain.OutcomeType) bool { return t.Code == o.Type })
	if i < 0 {
		verr.Add(field+"-type", "Choose the kind of outcome")
		return o, false
	}
	t := form.OutcomeTypes[i]
	num := func(name, s string, required bool) int {
		s = strings.ReplaceAll(strings.TrimSpace(s), ",", "")
		if s == "" {
			if required {
				verr.Add(field+"-"+name, "Enter the %s of %s", name, strings.ToLower(t.Name))
			}
			return 0
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 || n > 1_000_000_000 {
			verr.Add(field+"-"+name, "The %s must be a whole number, 0 or more", name)
			return 0
		}
		return n
	}
	switch t.Measure {
	case domain.MeasureCount:
		o.Quantity = num("quantity", in.Quantity, true)
	case domain.MeasureSeizure:
		o.SeizureType = strings.TrimSpace(in.SeizureType)
		if !slices.ContainsFunc(form.SeizureTypes, func(s domain.SeizureType) bool { return s.Code == o.SeizureType }) {
			verr.Add(field+"-seizure_type", "Choose the type of seizure")
		}
		o.Quantity = num("quantity", in.Quantity, true)
		if o.Quantity == 0 && !verr.Has(field+"-quantity") {
			verr.Add(field+"-quantity", "A seizure counts at least 1 item")
		}
		v, err := domain.ParsePounds(in.Value)
		if err != nil {
			verr.Add(field+"-value", "%s", capitalise(err.Error()))
		}
		o.ValuePence = v
		if id := strings.TrimSpace(in.AgencyID); id != "" {
			if !agencyOK(id) {
				verr.Add(field+"-agency", "Choose the agency that made the seizure")
			}
			o.AgencyID = id
		}
	case domain.MeasureDrugs:
		o.DrugClass = strings.TrimSpace(in.DrugClass)
		if !slices.Contains([]string{"A", "B", "C", "psychoactive"}, o.DrugClass) {
			verr.Add(field+"-drug_class", "Choose the class of drug: A, B, C or psychoactive substance")
		}
		o.Grams = num("grams", in.Grams, true)
		v, err := domain.ParsePounds(in.Value)
		if err != nil {
			verr.Add(field+"-value", "%s", capitalise(err.Error()))
		}
		o.ValuePence = v
	case domain.MeasureSentence:
		y := num("years", in.Years, false)
		m := num("months", in.Months, false)
		if y > 99 {
			verr.Add(field+"-years", "A custodial sentence is at most 99 years: for a whole-life order enter 99")
			y = 0
		}
		if m > 11 {
			verr.Add(field+"-months", "Months must be from 0 to 11: enter %d months as %s and %s", m, domain.Count(y+m/12, "year", "years"), domain.Count(m%12, "month", "months"))
			m = 0
		}
		o.Quantity, o.Months = 1, y*12+m
		if o.Months == 0 && !verr.Has(field+"-years") && !verr.Has(field+"-months") {
			verr.Add(field+"-years", "Enter the custodial sentence in years and months")
		}
	}
	return o, true
}

// Record stores a new disruption of a's agency as a draft, or submitted to
// the panel when in.Submit is set.
func (ds *Disruptions) Record(ctx context.Context, a domain.Actor, in DisruptionInput) (domain.Disruption, error) {
	p, err := ds.policy(ctx)
	if err != nil {
		return domain.Disruption{}, err
	}
	if !p.Allowed(a, authz.Create, domain.KindDisruption) {
		return domain.Disruption{}, domain.ErrForbidden
	}
	verr := &domain.ValidationError{}
	d, err := ds.check(ctx, p, a, in, verr)
	if err != nil {
		return domain.Disruption{}, err
	}
	m, err := parseMarking(ctx, ds.st, a, in.Marking, verr)
	if err != nil {
		return domain.Disruption{}, err
	}
	if err := verr.Err(); err != nil {
		return domain.Disruption{}, err
	}
	d.Marking, d.HandlingNote = m, strings.TrimSpace(in.Marking.HandlingNote)
	if err := p.Can(a, authz.Create, domain.KindDisruption, m); err != nil {
		return domain.Disruption{}, err
	}
	err = ds.st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		d.ID, d.Reference, d.Status = "", "", domain.DisruptionDraft
		list := []domain.Disruption{d}
		if err := ds.st.InsertDisruptions(ctx, tx, list); err != nil {
			return err
		}
		d = list[0]
		if in.Submit {
			if err := ds.st.SetDisruptionStatus(ctx, tx, a.PartnershipID, d.ID, &domain.DisruptionDecision{From: domain.DisruptionDraft,
				To: domain.DisruptionSubmitted, ActorID: a.UserID}); err != nil {
				return err
			}
			d.Status = domain.DisruptionSubmitted
		}
		if _, err := ds.alog.Append(ctx, tx, a, audit.MetaFrom(ctx), audit.Entry{Operation: audit.Collection, RecordType: string(domain.KindDisruption),
			RecordIDs: []string{d.ID}, Label: d.Reference}); err != nil {
			return err
		}
		if in.Submit {
			_, err := ds.alog.Append(ctx, tx, a, audit.MetaFrom(ctx), audit.Entry{Operation: audit.Alteration, RecordType: string(domain.KindDisruption),
				RecordIDs: []string{d.ID}, Label: d.Reference + ": submitted"})
			return err
		}
		return nil
	})
	return d, err
}

// DisruptionView is one disruption as its page shows it.
type DisruptionView struct {
	Disruption domain.Disruption
	Decisions  []domain.DisruptionDecision
	MayDecide  bool // a panel member, and the disruption is submitted
	MaySubmit  bool // its originator's, and a draft or returned
	MayAPMIS   bool // its originator's, and validated
	MayReopen  bool // a panel member, and the disruption is validated
}

// Disruption returns one disruption a may see, logging the consultation.
func (ds *Disruptions) Disruption(ctx context.Context, a domain.Actor, id string) (DisruptionView, error) {
	p, err := ds.policy(ctx)
	if err != nil {
		return DisruptionView{}, err
	}
	if !MayOpenRecords(p, a) {
		return DisruptionView{}, domain.ErrNotFound
	}
	rl := readLog{st: ds.st, alog: ds.alog}
	isa, system, err := rl.systemRead(ctx, a)
	if err != nil {
		return DisruptionView{}, err
	}
	d, err := ds.st.NewDisruptionQuery(p, a, authz.View).WithID(id).Get(ctx)
	if err != nil {
		return DisruptionView{}, err
	}
	v := DisruptionView{Disruption: d}
	if v.Decisions, err = ds.st.DisruptionDecisions(ctx, d.ID); err != nil {
		return v, err
	}
	v.MayDecide = ds.MayValidate(a) && d.Status == domain.DisruptionSubmitted
	mayEdit := p.Can(a, authz.Edit, domain.KindDisruption, d.Marking) == nil
	v.MaySubmit = mayEdit && (d.Status == domain.DisruptionDraft || d.Status == domain.DisruptionReturned)
	v.MayAPMIS = mayEdit && d.Status == domain.DisruptionValidated
	v.MayReopen = ds.MayValidate(a) && d.Status == domain.DisruptionValidated
	err = ds.st.InGroupTx(ctx, a.PartnershipID, func(ctx context.Context, tx *sql.Tx) error {
		return rl.append(ctx, tx, a, audit.Entry{Operation: audit.Consultation, RecordType: string(domain.KindDisruption),
			RecordIDs: []string{d.ID}, Label: d.Reference}, isa, system)
	})
	return consulted(v, err)
}

// Queue returns the disruptions waiting for the panel (submitted), oldest
// first as the panel takes them, or, for others, their agency's recent
// disruptions; at most limit.
func (ds *Disruptions) Queue(ctx context.Context, a domain.Actor, status domain.DisruptionStatus, limit int) ([]domain.Disruption, error) {
	p, err := ds.policy(ctx)
	if err != nil {
		return nil, err
	}
	if !p.Allowed(a, authz.List, domain.KindDisruption) || !MayOpenRecords(p, a) {
		return nil, domain.ErrForbidden
	}
	list, err := ds.st.NewDisruptionQuery(p, a, authz.List).WithStatus(status).List(ctx, limit)
	if err != nil {
		return nil, err
	}
	if len(list) > 0 {
		ids := make([]string, len(list))
		for i, d := range list {
			ids[i] = d.ID
		}
		err = ds.st.InGroupTx(ctx, a.PartnershipID, func(ctx context.Context, tx *sql.Tx) error {
			_, err := ds.alog.Append(ctx, tx, a, audit.MetaFrom(ctx), audit.Entry{Operation: audit.Consultation, RecordType: string(domain.KindDisruption),
				RecordIDs: ids, Label: "Disruptions list"})
			return err
		})
	}
	return consulted(list, err)
}

// DecisionInput is the panel's decision on a submitted disruption, or its
// recorder's submit or withdraw.
type DecisionInput struct {
	To     domain.DisruptionStatus
	FourP  string // validating: the category that counts (the proposed one when empty)
	Impact string // validating: the impact that counts (the proposed one when empty)
	Reason string
}

// Decide moves a disruption on: its recorder's agency submits or
// withdraws it; a panel member validates it (keeping or changing the
// category and impact, a reason needed for a change) or returns it (a
// reason needed). A step from a stale copy is ErrConflict.
func (ds *Disruptions) Decide(ctx context.Context, a domain.Actor, id string, in DecisionInput) (domain.Disruption, error) {
	if !ds.mayOpen(ctx, a) {
		return domain.Disruption{}, domain.ErrNotFound
	}
	p, err := ds.policy(ctx)
	if err != nil {
		return domain.Disruption{}, err
	}
	d, err := ds.st.NewDisruptionQuery(p, a, authz.View).WithID(id).Get(ctx)
	if err != nil {
		return domain.Disruption{}, err
	}
	panel := in.To == domain.DisruptionValidated || in.To == domain.DisruptionReturned
	if panel && !ds.MayValidate(a) {
		return domain.Disruption{}, domain.ErrNotFound
	}
	if !panel {
		if err := p.Can(a, authz.Edit, domain.KindDisruption, d.Marking); err != nil {
			return domain.Disruption{}, domain.ErrNotFound
		}
	}
	if err := domain.NextDisruptionStatus(d.Status, in.To); err != nil {
		return domain.Disruption{}, err
	}
	dec := domain.DisruptionDecision{From: d.Status, To: in.To, Reason: strings.TrimSpace(in.Reason), ActorID: a.UserID}
	verr := &domain.ValidationError{}
	switch in.To {
	case domain.DisruptionValidated:
		dec.FourP, dec.Impact = d.FourP, d.Impact
		if strings.TrimSpace(in.FourP) != "" {
			fp, ok := domain.ParseFourP(in.FourP)
			if !ok {
				verr.Add("four_p", domain.MsgFourPRequired)
			}
			dec.FourP = fp
		}
		if strings.TrimSpace(in.Impact) != "" {
			imp := domain.Impact(strings.ToLower(strings.TrimSpace(in.Impact)))
			if !imp.Valid() {
				verr.Add("impact", domain.MsgImpactRequired)
			}
			dec.Impact = imp
		}
		if (dec.FourP != d.FourP || dec.Impact != d.Impact) && dec.Reason == "" {
			verr.Add("reason", "Give the reason for changing the category or impact")
		}
	case domain.DisruptionReturned:
		if dec.Reason == "" {
			verr.Add("reason", "Say what the recorder should change")
		}
	}
	checkReasonLength(dec.Reason, verr)
	if err := verr.Err(); err != nil {
		return domain.Disruption{}, err
	}
	err = ds.st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := ds.st.SetDisruptionStatus(ctx, tx, a.PartnershipID, d.ID, &dec); err != nil {
			return err
		}
		_, err := ds.alog.Append(ctx, tx, a, audit.MetaFrom(ctx), audit.Entry{Operation: audit.Alteration, RecordType: string(domain.KindDisruption),
			RecordIDs: []string{d.ID}, Label: d.Reference + ": " + strings.ToLower(in.To.Label())})
		return err
	})
	if err != nil {
		return domain.Disruption{}, err
	}
	d.Status = in.To
	if in.To == domain.DisruptionValidated {
		d.ValidatedFourP, d.ValidatedImpact = dec.FourP, dec.Impact
	}
	return d, nil
}

// maxDecisionReason bounds the reason for a panel decision or a reopening,
// which the disruption's history shows and the audit log keeps.
const maxDecisionReason = 2000

// checkReasonLength adds a problem to verr when reason is too long.
func checkReasonLength(reason string, verr *domain.ValidationError) {
	if utf8.RuneCountInString(reason) > maxDecisionReason {
		verr.Add("reason", "The reason must be 2,000 characters or fewer")
	}
}

// Reopen sends a validated disruption back to the panel to be corrected:
// a panel member, with a reason, moves it to submitted (awaiting the
// panel's decision, as the panel's queue expects), where the panel
// validates it again, regraded or not, or returns it to its recorder. From
// the reopening until it is validated again it counts in no figure: one
// transaction clears its validated category and impact, takes it out of
// the performance roll-up, records the step in its history and writes an
// alteration to the audit log with the reason. Those who may not open it,
// and those not on the panel, get ErrNotFound; a disruption that is not
// validated (or no longer: someone reopened it meanwhile) is ErrConflict.
func (ds *Disruptions) Reopen(ctx context.Context, a domain.Actor, id, reason string) (domain.Disruption, error) {
	if !ds.mayOpen(ctx, a) || !ds.MayValidate(a) {
		return domain.Disruption{}, domain.ErrNotFound
	}
	p, err := ds.policy(ctx)
	if err != nil {
		return domain.Disruption{}, err
	}
	d, err := ds.st.NewDisruptionQuery(p, a, authz.View).WithID(id).Get(ctx)
	if err != nil {
		return domain.Disruption{}, err
	}
	if err := domain.CheckReopen(d.Status); err != nil {
		return domain.Disruption{}, err
	}
	reason = strings.TrimSpace(reason)
	verr := &domain.ValidationError{}
	if reason == "" {
		verr.Add("reason", "Give the reason for reopening the disruption")
	}
	checkReasonLength(reason, verr)
	if err := verr.Err(); err != nil {
		return domain.Disruption{}, err
	}
	dec := domain.DisruptionDecision{From: domain.DisruptionValidated, To: domain.DisruptionSubmitted, Reason: reason, ActorID: a.UserID}
	err = ds.st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := ds.st.SetDisruptionStatus(ctx, tx, a.PartnershipID, d.ID, &dec); err != nil {
			return err
		}
		_, err := ds.alog.Append(ctx, tx, a, audit.MetaFrom(ctx), audit.Entry{Operation: audit.Alteration, RecordType: string(domain.KindDisruption),
			RecordIDs: []string{d.ID}, Label: d.Reference + ": reopened", Fields: []string{"status", "validated_four_p", "validated_impact"}, Justification: reason})
		return err
	})
	if err != nil {
		return domain.Disruption{}, err
	}
	d.Status, d.ValidatedFourP, d.ValidatedImpact = domain.DisruptionSubmitted, "", ""
	return d, nil
}

// ActivityInput is an activity as typed.
type ActivityInput struct {
	Title, Kind, OCGID, LeadAgency, APMISRef, OpenedOn string
	Marking                                            domain.MarkingInput
}

// OpenActivity stores a new open activity.
func (ds *Disruptions) OpenActivity(ctx context.Context, a domain.Actor, in ActivityInput) (domain.Activity, error) {
	p, err := ds.policy(ctx)
	if err != nil {
		return domain.Activity{}, err
	}
	if !p.Allowed(a, authz.Create, domain.KindDisruption) {
		return domain.Activity{}, domain.ErrForbidden
	}
	verr := &domain.ValidationError{}
	act := domain.Activity{Title: strings.TrimSpace(in.Title), Kind: strings.TrimSpace(in.Kind), APMISRef: strings.TrimSpace(in.APMISRef), CreatedBy: a.UserID}
	if act.Title == "" {
		verr.Add("title", "Enter the name of the operation or intervention")
	}
	if act.Kind != "operation" && act.Kind != "intervention" {
		verr.Add("kind", "Choose operation or intervention")
	}
	agencies, err := ds.st.Agencies(ctx, a.PartnershipID)
	if err != nil {
		return act, err
	}
	if slices.ContainsFunc(agencies, func(x domain.Agency) bool { return x.ID == strings.TrimSpace(in.LeadAgency) }) {
		act.LeadAgencyID = strings.TrimSpace(in.LeadAgency)
	} else {
		verr.Add("lead_agency", "Choose the lead agency")
	}
	if id := strings.TrimSpace(in.OCGID); id != "" {
		o, err := ds.st.NewOCGQuery(p, a, authz.View).WithID(id).One(ctx)
		switch {
		case err == nil:
			act.OCGID = o.ID
		case errors.Is(err, domain.ErrNotFound):
			verr.Add("ocg", "Choose a group you can see")
		default:
			return act, err
		}
	}
	on, ok := domain.ParseDay(in.OpenedOn)
	switch {
	case !ok:
		verr.Add("opened_on", "Enter the date the activity opened, like 22/11/2026")
	case on.After(domain.UKDay(ds.st.Now())):
		verr.Add("opened_on", "The date it opened must be today or in the past")
	}
	act.OpenedOn = on
	m, err := parseMarking(ctx, ds.st, a, in.Marking, verr)
	if err != nil {
		return act, err
	}
	if err := verr.Err(); err != nil {
		return act, err
	}
	act.Marking, act.HandlingNote = m, strings.TrimSpace(in.Marking.HandlingNote)
	err = ds.st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := ds.st.InsertActivity(ctx, tx, &act); err != nil {
			return err
		}
		_, err := ds.alog.Append(ctx, tx, a, audit.MetaFrom(ctx), audit.Entry{Operation: audit.Collection, RecordType: string(domain.KindDisruption),
			RecordIDs: []string{act.ID}, Label: act.Reference})
		return err
	})
	return act, err
}

// GroupYear is one financial year of a group's validated disruptions.
type GroupYear struct {
	FY                                 domain.FiscalYear
	Disruptions                        int
	Pursue                             int // of which validated as Pursue
	ByFourP                            map[domain.FourP]int
	Arrests, Charges, Warrants, Seized int64 // seized: seizures counted
	SeizedPence                        int64
	SentenceMonths                     int64
	Safeguarded                        int64 // adults and children
}

// GroupPerformance is a group's disruptions over time: its validated
// disruptions by financial year, newest first, and its latest disruptions
// of any status the viewer may open.
type GroupPerformance struct {
	Years  []GroupYear
	Latest []domain.Disruption
	// MayRecord says the viewer may record a disruption against the group.
	MayRecord bool
}

// groupDisruptionsLimit bounds the disruptions a group's page reads; no
// group comes near it (the busiest demo group has a few dozen).
const groupDisruptionsLimit = 20000

// ForGroup returns the disruptions of group ocgID a may see. Viewers who
// may not open disruption records get nothing (and no error): the group
// page simply has no such section for them.
func (ds *Disruptions) ForGroup(ctx context.Context, a domain.Actor, ocgID string) (GroupPerformance, error) {
	var out GroupPerformance
	if !ds.mayOpen(ctx, a) {
		return out, nil
	}
	p, err := ds.policy(ctx)
	if err != nil {
		return out, err
	}
	if !p.Allowed(a, authz.List, domain.KindDisruption) {
		return out, nil
	}
	out.MayRecord = p.Allowed(a, authz.Create, domain.KindDisruption)
	list, err := ds.st.NewDisruptionQuery(p, a, authz.List).WithOCG(ocgID).List(ctx, groupDisruptionsLimit)
	if err != nil {
		return out, err
	}
	years := map[domain.FiscalYear]*GroupYear{}
	for _, d := range list {
		if len(out.Latest) < 10 {
			out.Latest = append(out.Latest, d)
		}
		// The yearly figures are exact counts about one group: only for
		// those who may see small numbers (see MaySingleOut).
		if d.Status != domain.DisruptionValidated || !MaySingleOut(a) {
			continue
		}
		fy := domain.FiscalYearOf(d.On)
		y := years[fy]
		if y == nil {
			y = &GroupYear{FY: fy, ByFourP: map[domain.FourP]int{}}
			years[fy] = y
		}
		y.Disruptions++
		y.ByFourP[d.ValidatedFourP]++
		if d.ValidatedFourP == domain.Pursue {
			y.Pursue++
		}
		for _, o := range d.Outcomes {
			switch o.Type {
			case "arrests":
				y.Arrests += int64(o.Quantity)
			case "charges":
				y.Charges += int64(o.Quantity)
			case "warrants":
				y.Warrants += int64(o.Quantity)
			case "seizure":
				y.Seized += int64(o.Quantity)
				y.SeizedPence += o.ValuePence
			case "custodial_sentence":
				y.SentenceMonths += int64(o.Months)
			case "adults_safeguarded", "children_safeguarded":
				y.Safeguarded += int64(o.Quantity)
			}
		}
	}
	for _, y := range years {
		out.Years = append(out.Years, *y)
	}
	slices.SortFunc(out.Years, func(x, y GroupYear) int { return int(y.FY - x.FY) })
	if len(list) > 0 {
		ids := make([]string, 0, len(list))
		for _, d := range list {
			ids = append(ids, d.ID)
		}
		err = ds.st.InGroupTx(ctx, a.PartnershipID, func(ctx context.Context, tx *sql.Tx) error {
			_, err := ds.alog.Append(ctx, tx, a, audit.MetaFrom(ctx), audit.Entry{Operation: audit.Consultation, RecordType: string(domain.KindDisruption),
				RecordIDs: ids, Label: "Disruptions of a group"})
			return err
		})
	}
	return consulted(out, err)
}

// Activities returns the activities a may see, newest first, open ones
// only when open is set.
func (ds *Disruptions) Activities(ctx context.Context, a domain.Actor, open bool) ([]domain.Activity, error) {
	if !ds.mayOpen(ctx, a) {
		return nil, domain.ErrForbidden
	}
	p, err := ds.policy(ctx)
	if err != nil {
		return nil, err
	}
	return ds.st.Activities(ctx, p, a, open, 500)
}

// CloseActivity records the day an open activity of a's agency closed.
func (ds *Disruptions) CloseActivity(ctx context.Context, a domain.Actor, id, on string) error {
	p, err := ds.policy(ctx)
	if err != nil {
		return err
	}
	if !MayOpenRecords(p, a) {
		return domain.ErrNotFound
	}
	act, err := ds.st.Activity(ctx, p, a, id)
	if err != nil {
		return err
	}
	if err := p.Can(a, authz.Edit, domain.KindDisruption, act.Marking); err != nil {
		return domain.ErrNotFound
	}
	day, ok := domain.ParseDay(on)
	verr := &domain.ValidationError{}
	switch {
	case !ok:
		verr.Add("closed_on", "Enter the date the activity closed, like 22/11/2026")
	case day.Before(act.OpenedOn):
		verr.Add("closed_on", "The activity cannot close before it opened on %s", domain.FormatUK(act.OpenedOn))
	case day.After(domain.UKDay(ds.st.Now())):
		verr.Add("closed_on", "The date it closed must be today or in the past")
	}
	if err := verr.Err(); err != nil {
		return err
	}
	return ds.st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := ds.st.CloseActivity(ctx, tx, act.ID, day.Format("2006-01-02")); err != nil {
			return err
		}
		_, err := ds.alog.Append(ctx, tx, a, audit.MetaFrom(ctx), audit.Entry{Operation: audit.Alteration, RecordType: string(domain.KindDisruption),
			RecordIDs: []string{act.ID}, Label: act.Reference + ": closed"})
		return err
	})
}

// APMISStatuses are the states of a disruption's submission to APMIS.
var APMISStatuses = []string{"not_submitted", "submitted", "accepted", "returned"}

// APMISLabel is an APMIS status as people say it.
func APMISLabel(s string) string {
	switch s {
	case "not_submitted":
		return "Not submitted"
	case "submitted":
		return "Submitted to APMIS"
	case "accepted":
		return "Accepted by APMIS"
	case "returned":
		return "Returned by APMIS"
	}
	return s
}

// SetAPMIS records a validated disruption's APMIS reference and where its
// submission to APMIS is. Like any edit, only the originating agency may.
func (ds *Disruptions) SetAPMIS(ctx context.Context, a domain.Actor, id, ref, status string) error {
	p, err := ds.policy(ctx)
	if err != nil {
		return err
	}
	if !MayOpenRecords(p, a) {
		return domain.ErrNotFound
	}
	d, err := ds.st.NewDisruptionQuery(p, a, authz.View).WithID(id).Get(ctx)
	if err != nil {
		return err
	}
	if p.Can(a, authz.Edit, domain.KindDisruption, d.Marking) != nil {
		return domain.ErrNotFound
	}
	ref, status = strings.TrimSpace(ref), strings.TrimSpace(status)
	verr := &domain.ValidationError{}
	if !slices.Contains(APMISStatuses, status) {
		verr.Add("apmis_status", "Choose where the submission to APMIS is")
	}
	if status != "not_submitted" && ref == "" {
		verr.Add("apmis_ref", "Enter the APMIS reference")
	}
	if len(ref) > 40 {
		verr.Add("apmis_ref", "The APMIS reference must be 40 characters or fewer")
	}
	if status != "not_submitted" && d.Status != domain.DisruptionValidated {
		verr.Add("apmis_status", "Only a validated disruption is submitted to APMIS")
	}
	if err := verr.Err(); err != nil {
		return err
	}
	return ds.st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := ds.st.SetAPMIS(ctx, tx, a.PartnershipID, d.ID, ref, status); err != nil {
			return err
		}
		_, err := ds.alog.Append(ctx, tx, a, audit.MetaFrom(ctx), audit.Entry{Operation: audit.Alteration, RecordType: string(domain.KindDisruption),
			RecordIDs: []string{d.ID}, Label: d.Reference + ": APMIS " + status})
		return err
	})
}
