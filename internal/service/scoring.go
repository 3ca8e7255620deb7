package service

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"alliance/internal/audit"
	"alliance/internal/authz"
	"alliance/internal/domain"
	"alliance/internal/store"
)

// Scoring is the OCG scoring use case: versioned OCGM-style and
// MoRiLE-style models kept by administrators, and assessments of groups
// that record the model version, the inputs and the result so that any
// past score can be reproduced (DOMAIN.md rule 8).
type Scoring struct {
	policyUser
	st   *store.Store
	log  *slog.Logger
	alog *audit.Log
}

// NewScoring returns the service. Model changes and assessments are
// written to alog as alterations; reading a group's assessments is a
// consultation.
func NewScoring(st *store.Store, log *slog.Logger, alog *audit.Log) *Scoring {
	if log == nil {
		log = slog.Default()
	}
	return &Scoring{st: st, log: log, alog: alog}
}

// ErrGroupArchived refuses to score an archived group: it must be reopened
// (back to under assessment) first.
var ErrGroupArchived = fmt.Errorf("an archived group cannot be scored: reopen it first: %w", domain.ErrConflict)

// ErrNotReproducible means recomputing a stored assessment's inputs with its
// stored model version did not give its stored result.
var ErrNotReproducible = errors.New("the stored result cannot be reproduced from the stored inputs and model version")

func (s *Scoring) policy(ctx context.Context) (authz.Policy, error) {
	return s.policyOf(ctx, s.st)
}

// today is the store clock's day in the UK (domain.UKDay).
func (s *Scoring) today() time.Time { return domain.UKDay(s.st.Now()) }

// EnsureDefaults stores version 1 of each method's shipped default model
// when that method has no model yet. It changes nothing when one exists, so
// it is safe to call at every start, and on several servers at once: the
// unique (method, version) key lets exactly one insert win.
func (s *Scoring) EnsureDefaults(ctx context.Context) error {
	for _, method := range domain.ScoringMethods {
		def := domain.DefaultScoringDefinition(method)
		text, err := domain.MarshalScoringDefinition(def)
		if err != nil {
			return err
		}
		m := domain.ScoringModel{Method: method, Name: def.Title(), Definition: text, IsDefault: true}
		var stored bool
		err = s.st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
			m.ID = ""
			stored, err = s.st.InsertFirstScoringModel(ctx, tx, &m)
			return err
		})
		if err != nil {
			return fmt.Errorf("default %s model: %w", method, err)
		}
		if stored {
			s.log.InfoContext(ctx, "default scoring model stored", "method", string(method), "version", 1)
		}
	}
	return nil
}

// Models lists every version of every model, by method, newest first.
func (s *Scoring) Models(ctx context.Context) ([]domain.ScoringModel, error) {
	return s.st.ScoringModels(ctx)
}

// CurrentModel returns the version of method's model new assessments use.
func (s *Scoring) CurrentModel(ctx context.Context, method domain.ScoringMethod) (domain.ScoringModel, error) {
	if _, ok := domain.ParseScoringMethod(string(method)); !ok {
		return domain.ScoringModel{}, domain.NotFound("scoring method", string(method))
	}
	return s.st.CurrentScoringModel(ctx, s.st.Reader(), method)
}

// SaveModel stores definitionJSON as a new version of method's model and
// makes it current. Only administrators may; earlier versions are never
// changed, so past assessments still name the version they used. Problems
// with the definition come back as a *domain.ValidationError naming each
// field by its JSON path.
func (s *Scoring) SaveModel(ctx context.Context, a domain.Actor, method domain.ScoringMethod, definitionJSON string) (domain.ScoringModel, error) {
	if a.Anonymous() || !a.Has(domain.RoleAdministrator) || (a.Kind == domain.ActorToken && !slices.Contains(a.Scopes, "write")) {
		return domain.ScoringModel{}, domain.ErrForbidden
	}
	if _, ok := domain.ParseScoringMethod(string(method)); !ok {
		return domain.ScoringModel{}, domain.NotFound("scoring method", string(method))
	}
	if len(definitionJSON) > 1<<19 {
		verr := &domain.ValidationError{}
		verr.Add("definition", "The definition must be 512 KB or smaller")
		return domain.ScoringModel{}, verr
	}
	def, err := domain.ParseScoringDefinition(method, []byte(definitionJSON))
	if err != nil {
		return domain.ScoringModel{}, err
	}
	text, err := domain.MarshalScoringDefinition(def)
	if err != nil {
		return domain.ScoringModel{}, err
	}
	m := domain.ScoringModel{Method: method, Name: def.Title(), Definition: text, Current: true, CreatedBy: a.UserID, Def: def}
	// Two administrators saving at once may pick the same number; the
	// unique key refuses the second, which tries the next number.
	for attempt := 1; ; attempt++ {
		err = s.st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
			cur, err := s.st.CurrentScoringModel(ctx, tx, method)
			switch {
			case err == nil && cur.Definition == text:
				verr := &domain.ValidationError{}
				verr.Add("definition", "This is the same as version %d; change something to save a new version", cur.Version)
				return verr
			case err != nil && !errors.Is(err, domain.ErrNotFound):
				return err
			}
			if m.Version, err = s.st.NextScoringVersion(ctx, tx, method); err != nil {
				return err
			}
			m.ID, m.CreatedAt = "", time.Time{}
			if err := s.st.InsertScoringModel(ctx, tx, &m); err != nil {
				return err
			}
			_, err = s.alog.Append(ctx, tx, a, audit.MetaFrom(ctx), audit.Entry{Operation: audit.Alteration, RecordType: "scoring_model",
				RecordIDs: []string{m.ID}, Label: fmt.Sprintf("%s model version %d", method.Label(), m.Version), Fields: []string{"definition"}})
			return err
		})
		if errors.Is(err, domain.ErrConflict) && attempt < 3 {
			continue
		}
		break
	}
	if err != nil {
		return domain.ScoringModel{}, err
	}
	s.log.InfoContext(ctx, "scoring model saved", "method", string(method), "version", m.Version)
	return m, nil
}

// AssessmentInput is one scoring of a group as a form or API body gives it.
type AssessmentInput struct {
	Method      string            // ocgm or morile
	Values      map[string]string // field code → value code, one per model field
	Confidence  string            // 1, 2 or 3
	Rationale   string
	AssessedOn  string // UK date; today when empty
	Opportunity string // MoRiLE-style only
}

// mayAssess reports whether a may score o: the policy allows a to edit it,
// or a is its lead responsible officer (from any agency) and holds write
// on groups.
func mayAssess(p authz.Policy, a domain.Actor, o domain.OCG) bool {
	if p.Can(a, authz.Edit, domain.KindOCG, o.Marking) == nil {
		return true
	}
	return a.UserID != "" && a.UserID == o.LROUserID && p.Allowed(a, authz.Edit, domain.KindOCG)
}

// group returns the group with id if a may see it (not found otherwise).
func (s *Scoring) group(ctx context.Context, p authz.Policy, a domain.Actor, id string) (domain.OCG, error) {
	return s.st.NewOCGQuery(p, a, authz.View).WithID(id).One(ctx)
}

// purpose returns why a is reading o, as the register asks it (see
// readPurpose).
func (s *Scoring) purpose(ctx context.Context, a domain.Actor, o domain.OCG) (string, error) {
	return readPurpose(ctx, s.st, a, o.ID, o.CreatedBy, o.Reference, o.Title())
}

func (s *Scoring) consult(ctx context.Context, a domain.Actor, o domain.OCG, label, why string) error {
	return s.st.InGroupTx(ctx, a.PartnershipID, func(ctx context.Context, tx *sql.Tx) error {
		_, err := s.alog.Append(ctx, tx, a, audit.MetaFrom(ctx), audit.Entry{Operation: audit.Consultation, RecordType: string(domain.KindOCG),
			RecordIDs: []string{o.ID}, Label: o.Reference + ": " + label, Justification: why})
		return err
	})
}

// AssessView is what the scoring form shows: the group, the current model
// for the method, and whether the group may be scored at all.
type AssessView struct {
	OCG      domain.OCG
	Method   domain.ScoringMethod
	Model    domain.ScoringModel
	Archived bool
}

// AssessForm returns what scoring group ocgID by method needs, if a may
// score it: not found when a may not see the group, forbidden when a may
// see but not score it. Like the group page, someone who did not propose
// the group must have given a purpose this session (*PurposeNeeded
// otherwise); the read is logged as a consultation.
func (s *Scoring) AssessForm(ctx context.Context, a domain.Actor, ocgID, method string) (AssessView, error) {
	p, err := s.policy(ctx)
	if err != nil {
		return AssessView{}, err
	}
	o, err := s.group(ctx, p, a, ocgID)
	if err != nil {
		return AssessView{}, err
	}
	if !mayAssess(p, a, o) {
		return AssessView{}, domain.ErrForbidden
	}
	m, ok := domain.ParseScoringMethod(method)
	if !ok {
		m = domain.MethodOCGM
	}
	model, err := s.st.CurrentScoringModel(ctx, s.st.Reader(), m)
	if err != nil {
		return AssessView{}, err
	}
	why, err := s.purpose(ctx, a, o)
	if err != nil {
		return AssessView{}, err
	}
	if err := s.consult(ctx, a, o, "scoring form", why); err != nil {
		return AssessView{}, err
	}
	return AssessView{OCG: o, Method: m, Model: model, Archived: o.Status == domain.StatusArchived}, nil
}

// Assess scores group ocgID with the current model of in.Method and
// records the assessment: model version, inputs, result, confidence (never
// part of the score) and rationale. An OCGM-style assessment that is the
// group's latest updates the group's score, band, priority and scored-on
// day. When the result and the latest result of the other method differ by
// more than the model's review threshold (each as a fraction of its model's
// maximum), the assessment is flagged for review with a note saying why.
// a must be allowed to edit the group, or be its LRO; an archived group
// cannot be scored. Everything, with its audit entry, is one transaction.
func (s *Scoring) Assess(ctx context.Context, a domain.Actor, ocgID string, in AssessmentInput) (domain.Assessment, error) {
	p, err := s.policy(ctx)
	if err != nil {
		return domain.Assessment{}, err
	}
	o, err := s.group(ctx, p, a, ocgID)
	if err != nil {
		return domain.Assessment{}, err
	}
	if !mayAssess(p, a, o) {
		return domain.Assessment{}, domain.ErrForbidden
	}
	if o.Status == domain.StatusArchived {
		return domain.Assessment{}, ErrGroupArchived
	}
	verr := &domain.ValidationError{}
	method, ok := domain.ParseScoringMethod(in.Method)
	if !ok {
		verr.Add("method", "Choose OCGM-style or MoRiLE-style")
		return domain.Assessment{}, verr
	}
	model, err := s.st.CurrentScoringModel(ctx, s.st.Reader(), method)
	if err != nil {
		return domain.Assessment{}, err
	}
	as := domain.Assessment{OCGID: o.ID, Method: method, ModelID: model.ID, AssessedBy: a.UserID,
		Rationale: strings.TrimSpace(in.Rationale), ModelVersion: model.Version, ModelName: model.Name}
	inputs := domain.ScoringInputs{Values: map[string]string{}}
	for k, v := range in.Values {
		inputs.Values[k] = strings.TrimSpace(v)
	}
	if method == domain.MethodMoRiLE {
		inputs.Opportunity = strings.TrimSpace(in.Opportunity)
	}
	res, err := model.Def.Compute(inputs)
	var cerr *domain.ValidationError
	switch {
	case errors.As(err, &cerr):
		verr.Problems = append(verr.Problems, cerr.Problems...)
	case err != nil:
		return domain.Assessment{}, err
	}
	s.checkAssessment(in, &as, inputs.Opportunity, verr)
	if err := verr.Err(); err != nil {
		return domain.Assessment{}, err
	}
	as.Inputs, as.Result = inputs, res
	as.Score, as.Band, as.Priority = res.Score, res.Band, res.Priority
	err = s.record(ctx, a, o, model, &as)
	if err != nil {
		return domain.Assessment{}, err
	}
	if as.NeedsReview {
		s.log.InfoContext(ctx, "assessment flagged for review", "ocg", o.Reference, "method", string(method))
	}
	return as, nil
}

// checkAssessment sets as's confidence and day from in, adding to verr
// what is wrong with them, with the rationale or with the opportunity.
func (s *Scoring) checkAssessment(in AssessmentInput, as *domain.Assessment, opportunity string, verr *domain.ValidationError) {
	switch strings.TrimSpace(in.Confidence) {
	case "1", "2", "3":
		as.Confidence = int(strings.TrimSpace(in.Confidence)[0] - '0')
	default:
		verr.Add("confidence", "Choose how confident you are: 1 (low), 2 (medium) or 3 (high)")
	}
	switch n := utf8.RuneCountInString(as.Rationale); {
	case n == 0:
		verr.Add("rationale", "Explain the scoring: what the choices rest on")
	case n > 5000:
		verr.Add("rationale", "The rationale must be 5,000 characters or fewer")
	}
	if utf8.RuneCountInString(opportunity) > 5000 {
		verr.Add("opportunity", "The opportunity must be 5,000 characters or fewer")
	}
	as.AssessedOn = s.today()
	if strings.TrimSpace(in.AssessedOn) != "" {
		d, ok := domain.ParseDay(in.AssessedOn)
		switch {
		case !ok:
			verr.Add("assessed_on", "Enter the date of the assessment as a date, like 22/11/2026")
		case d.After(s.today()):
			verr.Add("assessed_on", "The date of the assessment must be today or in the past")
		default:
			as.AssessedOn = d
		}
	}
}

// record stores assessment as of group o under model, in one transaction
// with its audit entry: flagged for review when it and the other method's
// latest result disagree, and, when it is the group's latest OCGM-style
// assessment, setting the group's score.
func (s *Scoring) record(ctx context.Context, a domain.Actor, o domain.OCG, model domain.ScoringModel, as *domain.Assessment) error {
	method, res := as.Method, as.Result
	return s.st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		as.ID, as.CreatedAt, as.NeedsReview, as.ReviewNote = "", time.Time{}, false, ""
		other, err := s.st.LatestAssessment(ctx, tx, o.ID, method.Other())
		switch {
		case err == nil:
			as.NeedsReview, as.ReviewNote = domain.Disagreement(res, other.Result, other.AssessedOn, model.Def.Threshold())
		case !errors.Is(err, domain.ErrNotFound):
			return err
		}
		if err := s.st.InsertAssessment(ctx, tx, a.PartnershipID, as); err != nil {
			return err
		}
		fields := []string{"assessment"}
		if method == domain.MethodOCGM {
			latest, err := s.st.LatestAssessment(ctx, tx, o.ID, domain.MethodOCGM)
			if err != nil {
				return err
			}
			if latest.ID == as.ID {
				if err := s.st.SetOCGScore(ctx, tx, o.ID, as.Score, as.Band, as.Priority, as.AssessedOn); err != nil {
					return err
				}
				fields = append(fields, "score", "band", "priority", "scored_on")
			}
		}
		_, err = s.alog.Append(ctx, tx, a, audit.MetaFrom(ctx), audit.Entry{Operation: audit.Alteration, RecordType: string(domain.KindOCG),
			RecordIDs: []string{o.ID}, Label: fmt.Sprintf("%s: %s assessment (model version %d)", o.Reference, method.Label(), model.Version),
			Fields: fields})
		return err
	})
}

// AssessmentsView is a group's scoring history.
type AssessmentsView struct {
	OCG         domain.OCG
	Assessments []domain.Assessment // newest first
	CanAssess   bool
}

// Assessments returns group ocgID's assessments, newest first, if a may
// see the group (not found otherwise). Like the group page, someone who
// did not propose the group must have given a purpose this session
// (*PurposeNeeded otherwise); the read is logged as a consultation.
func (s *Scoring) Assessments(ctx context.Context, a domain.Actor, ocgID string) (AssessmentsView, error) {
	p, err := s.policy(ctx)
	if err != nil {
		return AssessmentsView{}, err
	}
	o, err := s.group(ctx, p, a, ocgID)
	if err != nil {
		return AssessmentsView{}, err
	}
	why, err := s.purpose(ctx, a, o)
	if err != nil {
		return AssessmentsView{}, err
	}
	list, err := s.st.Assessments(ctx, o.ID)
	if err != nil {
		return AssessmentsView{}, err
	}
	if err := s.consult(ctx, a, o, "scoring history", why); err != nil {
		return AssessmentsView{}, err
	}
	return AssessmentsView{OCG: o, Assessments: list, CanAssess: mayAssess(p, a, o) && o.Status != domain.StatusArchived}, nil
}

// Reproduce recomputes stored assessment id from its stored inputs with
// its stored model version and returns the recomputed result. It returns
// an error wrapping ErrNotReproducible when that differs in any way from
// the stored result, score, band or priority. It reads no personal data
// and is for operators and tests; pages do not offer it.
func (s *Scoring) Reproduce(ctx context.Context, id string) (domain.ScoreResult, error) {
	as, err := s.st.AssessmentByID(ctx, s.st.Reader(), id)
	if err != nil {
		return domain.ScoreResult{}, err
	}
	model, err := s.st.ScoringModelByID(ctx, s.st.Reader(), as.ModelID)
	if err != nil {
		return domain.ScoreResult{}, err
	}
	got, err := model.Def.Compute(as.Inputs)
	if err != nil {
		return domain.ScoreResult{}, fmt.Errorf("assessment %s: %w: %w", id, ErrNotReproducible, err)
	}
	a, err := json.Marshal(got)
	if err != nil {
		return domain.ScoreResult{}, err
	}
	b, err := json.Marshal(as.Result)
	if err != nil {
		return domain.ScoreResult{}, err
	}
	if string(a) != string(b) || got.Score != as.Score || got.Band != as.Band || got.Priority != as.Priority {
		return got, fmt.Errorf("assessment %s: recomputed %s, stored %s: %w", id, a, b, ErrNotReproducible)
	}
	return got, nil
}
