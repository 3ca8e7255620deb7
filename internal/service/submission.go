package service

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"alliance/internal/audit"
	"alliance/internal/authz"
	"alliance/internal/domain"
	"alliance/internal/store"
)

// Submissions is what partners submit and the public reports, and the
// intelligence unit's triage of it. Submissions are OFFICIAL-SENSITIVE
// records under the one access policy; triage is for analysts; a
// submitter sees their own submission's status and the analyst's
// question, never what it became.
type Submissions struct {
	policyUser
	st      *store.Store
	log     *slog.Logger
	alog    *audit.Log
	reports *Reports
}

// NewSubmissions returns the service; reports makes the information
// report a submission is graded into.
func NewSubmissions(st *store.Store, log *slog.Logger, alog *audit.Log, reports *Reports) *Submissions {
	if log == nil {
		log = slog.Default()
	}
	return &Submissions{st: st, log: log, alog: alog, reports: reports}
}

// SubmissionInput is what a partner or a member of the public sends.
// Only What is required.
type SubmissionInput struct {
	What, Where, When, Who string
	Contact                string // public reports only
	OCGID, UnitID          string // partner submissions only
	Priority               string // partner submissions only; routine when empty
}

// submissionMarking is how every submission is marked when it arrives:
// OFFICIAL-SENSITIVE, P-coded (triage decides what it may become).
func submissionMarking(partnershipID, origin string) domain.Marking {
	return domain.Marking{PartnershipID: partnershipID, Classification: domain.OfficialSensitive, Handling: domain.HandlingP, OriginAgencyID: origin}
}

// textField checks one free-text field: trimmed, required or not, at most
// max characters, with no NUL or other control characters but newlines
// and tabs.
func textField(verr *domain.ValidationError, field, label, v string, required bool, maxLen int) string {
	v = strings.TrimSpace(v)
	switch n := utf8.RuneCountInString(v); {
	case n == 0 && required:
		verr.Add(field, "Enter %s", strings.ToLower(label[:1])+label[1:])
	case n > maxLen:
		verr.Add(field, "%s must be %s characters or fewer", label, domain.FormatCount(int64(maxLen)))
	case !utf8.ValidString(v) || strings.ContainsFunc(v, func(r rune) bool { return r < 0x20 && r != '\n' && r != '\r' && r != '\t' }):
		verr.Add(field, "%s holds characters that are not text", label)
	}
	return v
}

// Submit stores a partner's submission in the triage queue, from a's
// agency.
func (sv *Submissions) Submit(ctx context.Context, a domain.Actor, in SubmissionInput) (domain.Submission, error) {
	p, err := sv.policyOf(ctx, sv.st)
	if err != nil {
		return domain.Submission{}, err
	}
	if a.Anonymous() || !p.Allowed(a, authz.Create, domain.KindSubmission) {
		return domain.Submission{}, domain.ErrForbidden
	}
	verr := &domain.ValidationError{}
	x := domain.Submission{PartnershipID: a.PartnershipID, Source: domain.SourcePartner, Status: domain.SubmissionNew, SubmittedBy: a.UserID,
		Marking: submissionMarking(a.PartnershipID, a.AgencyID)}
	x.What = textField(verr, "what", "What you saw", in.What, true, domain.SubmissionWhatMax)
	x.Where = textField(verr, "where", "Where", in.Where, false, domain.SubmissionShortMax)
	x.When = textField(verr, "when", "When", in.When, false, domain.SubmissionShortMax)
	x.Who = textField(verr, "who", "Who", in.Who, false, domain.SubmissionWhoMax)
	x.Priority = domain.PriorityRoutine
	if v := strings.TrimSpace(in.Priority); v != "" {
		if !slices.Contains(domain.Priorities, domain.Priority(v)) {
			verr.Add("priority", "Choose how urgent it is from the list")
		} else {
			x.Priority = domain.Priority(v)
		}
	}
	if id := strings.TrimSpace(in.OCGID); id != "" {
		n, err := sv.st.NewOCGQuery(p, a, authz.View).WithID(id).Count(ctx)
		if err != nil {
			return x, err
		}
		if n != 1 {
			verr.Add("ocg", "Choose the group from the list")
		}
		x.OCGID = id
	}
	if id := strings.TrimSpace(in.UnitID); id != "" {
		if _, perr := uuid.Parse(id); perr != nil {
			verr.Add("unit", "Choose the area from the list")
		} else if _, err := sv.st.OrgUnitPath(ctx, a.PartnershipID, id); errors.Is(err, domain.ErrNotFound) {
			verr.Add("unit", "Choose the area from the list")
		} else if err != nil {
			return x, err
		}
		x.UnitID = id
	}
	if err := verr.Err(); err != nil {
		return x, err
	}
	err = sv.st.InGroupTx(ctx, a.PartnershipID, func(ctx context.Context, tx *sql.Tx) error {
		if err := sv.st.InsertSubmission(ctx, tx, &x); err != nil {
			return err
		}
		_, err := sv.alog.Append(ctx, tx, a, audit.MetaFrom(ctx), audit.Entry{Operation: audit.Collection, RecordType: string(domain.KindSubmission),
			RecordIDs: []string{x.ID}, Label: x.Reference})
		return err
	})
	return x, err
}

// PublicReporter is who the audit log names for a public report: no
// account, no agency, and no address, cookie or browser of the reporter.
const PublicReporter = "Public reporting page (no account)"

// Report stores a public report for partnership in the triage queue. It
// keeps nothing that identifies the reporter but what they chose to write:
// the audit entry names the public page and holds no client address.
func (sv *Submissions) Report(ctx context.Context, partnershipID string, in SubmissionInput) (domain.Submission, error) {
	verr := &domain.ValidationError{}
	x := domain.Submission{PartnershipID: partnershipID, Source: domain.SourcePublic, Status: domain.SubmissionNew, Priority: domain.PriorityRoutine,
		Marking: submissionMarking(partnershipID, "")}
	x.What = textField(verr, "what", "What happened", in.What, true, domain.SubmissionWhatMax)
	x.Where = textField(verr, "where", "Where", in.Where, false, domain.SubmissionShortMax)
	x.When = textField(verr, "when", "When", in.When, false, domain.SubmissionShortMax)
	x.Who = textField(verr, "who", "Who", in.Who, false, domain.SubmissionWhoMax)
	x.Contact = textField(verr, "contact", "Contact details", in.Contact, false, domain.SubmissionContactMax)
	if partnershipID == "" {
		verr.Add("partnership", "Choose the area where it happened")
	}
	if err := verr.Err(); err != nil {
		return x, err
	}
	page := domain.Actor{PartnershipID: partnershipID, DisplayName: PublicReporter}
	meta := audit.Meta{RequestID: audit.MetaFrom(ctx).RequestID} // no client address
	err := sv.st.InGroupTx(ctx, partnershipID, func(ctx context.Context, tx *sql.Tx) error {
		if err := sv.st.InsertSubmission(ctx, tx, &x); err != nil {
			return err
		}
		_, err := sv.alog.Append(ctx, tx, page, meta, audit.Entry{Operation: audit.Collection, RecordType: string(domain.KindSubmission),
			RecordIDs: []string{x.ID}, Label: "Public report " + x.Reference})
		return err
	})
	return x, err
}

// MayTriage reports whether a works the triage queue: an analyst who may
// read submissions.
func (sv *Submissions) MayTriage(ctx context.Context, a domain.Actor) bool {
	p, err := sv.policyOf(ctx, sv.st)
	return err == nil && a.Has(domain.RoleAnalyst) && p.Allowed(a, authz.List, domain.KindSubmission)
}

// MaySubmit reports whether a may submit to the triage queue.
func (sv *Submissions) MaySubmit(ctx context.Context, a domain.Actor) bool {
	p, err := sv.policyOf(ctx, sv.st)
	return err == nil && !a.Anonymous() && p.Allowed(a, authz.Create, domain.KindSubmission)
}

// TriageItem is one submission in the queue with how long it has waited
// against the partnership's target for its priority.
type TriageItem struct {
	domain.Submission
	Waited  time.Duration
	Target  time.Duration
	Overdue bool
}

// TriagePage is a page of the queue.
type TriagePage struct {
	Items       []TriageItem
	Total       int
	Overdue     int
	Page, Pages int
	Targets     map[domain.Priority]time.Duration
}

// TriagePerPage is how many submissions a page of the queue lists.
const TriagePerPage = 50

// Triage returns a page of the open submissions a may see, the most urgent
// and then the longest waiting first, each against its target; the
// submissions listed are logged as consulted.
func (sv *Submissions) Triage(ctx context.Context, a domain.Actor, page int) (TriagePage, error) {
	if !sv.MayTriage(ctx, a) {
		return TriagePage{}, domain.ErrForbidden
	}
	p, err := sv.policyOf(ctx, sv.st)
	if err != nil {
		return TriagePage{}, err
	}
	out := TriagePage{Page: max(page, 1)}
	if out.Targets, err = sv.st.TriageTargets(ctx, a.PartnershipID); err != nil {
		return out, err
	}
	q := func() *store.SubmissionQuery { return sv.st.NewSubmissionQuery(p, a, authz.List).Open() }
	if out.Total, err = q().Count(ctx); err != nil {
		return out, err
	}
	out.Pages = max(1, (out.Total+TriagePerPage-1)/TriagePerPage)
	list, err := q().List(ctx, TriagePerPage, (out.Page-1)*TriagePerPage)
	if err != nil {
		return out, err
	}
	now := sv.st.Now()
	ids := make([]string, len(list))
	for i, x := range list {
		it := TriageItem{Submission: x, Waited: now.Sub(x.CreatedAt), Target: out.Targets[x.Priority]}
		it.Overdue = it.Waited > it.Target
		if it.Overdue {
			out.Overdue++
		}
		out.Items = append(out.Items, it)
		ids[i] = x.ID
	}
	return out, sv.logRead(ctx, a, ids, "Triage queue")
}

func (sv *Submissions) logRead(ctx context.Context, a domain.Actor, ids []string, label string) error {
	if len(ids) == 0 {
		return nil
	}
	return sv.st.InGroupTx(ctx, a.PartnershipID, func(ctx context.Context, tx *sql.Tx) error {
		_, err := sv.alog.Append(ctx, tx, a, audit.MetaFrom(ctx), audit.Entry{Operation: audit.Consultation, RecordType: string(domain.KindSubmission),
			RecordIDs: ids, Label: label})
		return err
	})
}

// forSubmitter is x as its submitter may see it: its status and the
// analyst's question, never what it became (the report, the reason, who
// decided); graded and closed both read "Closed".
func forSubmitter(x domain.Submission) domain.Submission {
	x.ReportID, x.ReportRef, x.DecisionReason, x.DecidedBy, x.DeciderName = "", "", "", "", ""
	if x.Status == domain.SubmissionGraded {
		x.Status = domain.SubmissionClosed
	}
	return x
}

// Mine lists a's own submissions, newest first, as a submitter sees them.
func (sv *Submissions) Mine(ctx context.Context, a domain.Actor) ([]domain.Submission, error) {
	p, err := sv.policyOf(ctx, sv.st)
	if err != nil {
		return nil, err
	}
	if a.Anonymous() || !p.Allowed(a, authz.List, domain.KindSubmission) {
		return nil, nil
	}
	list, err := sv.st.NewSubmissionQuery(p, a, authz.List).WithSubmitter(a.UserID).NewestFirst().List(ctx, 200, 0)
	for i := range list {
		list[i] = forSubmitter(list[i])
	}
	return list, err
}

// Submission returns one submission: whole to an analyst who triages,
// as its submitter may see it to the submitter, and not found to anyone
// else. The read is logged.
func (sv *Submissions) Submission(ctx context.Context, a domain.Actor, id string) (domain.Submission, bool, error) {
	p, err := sv.policyOf(ctx, sv.st)
	if err != nil {
		return domain.Submission{}, false, err
	}
	if a.Anonymous() || !p.Allowed(a, authz.View, domain.KindSubmission) {
		return domain.Submission{}, false, domain.NotFound("submission", id)
	}
	triage := sv.MayTriage(ctx, a)
	q := sv.st.NewSubmissionQuery(p, a, authz.View).WithID(id)
	if !triage {
		q.WithSubmitter(a.UserID)
	}
	x, err := q.One(ctx)
	if err != nil {
		return x, false, err
	}
	if !triage {
		x = forSubmitter(x)
	}
	return x, triage, sv.logRead(ctx, a, []string{x.ID}, x.Reference)
}

// TriageDecision is an analyst's triage step: "grade" (into a report, from
// Report), "question" (ask the submitter Question), "close" (with Reason)
// or "priority" (set Priority).
type TriageDecision struct {
	Action   string
	Reason   string
	Question string
	Priority string
	Report   ReportInput
}

// Decide applies an analyst's triage step to an open submission, in one
// transaction with its audit entries (and, grading, the new report).
func (sv *Submissions) Decide(ctx context.Context, a domain.Actor, id string, in TriageDecision) (domain.Submission, error) {
	if !sv.MayTriage(ctx, a) {
		return domain.Submission{}, domain.NotFound("submission", id)
	}
	p, err := sv.policyOf(ctx, sv.st)
	if err != nil {
		return domain.Submission{}, err
	}
	x, err := sv.st.NewSubmissionQuery(p, a, authz.View).WithID(id).One(ctx)
	if err != nil {
		return x, err
	}
	verr := &domain.ValidationError{}
	if !x.Status.Open() && in.Action != "priority" {
		verr.Add("action", "This submission has been dealt with: it was %s", strings.ToLower(x.Status.Label()))
		return x, verr
	}
	now := sv.st.Now().UTC()
	var rep domain.InfoReport
	switch in.Action {
	case "close":
		x.DecisionReason = textField(verr, "reason", "The reason for closing it", in.Reason, true, domain.SubmissionReasonMax)
		x.Status = domain.SubmissionClosed
	case "question":
		x.Question = textField(verr, "question", "Your question", in.Question, true, domain.SubmissionReasonMax)
		if x.Source == domain.SourcePublic {
			verr.Add("question", "A public report has no account to answer a question: use the contact details, if the reporter gave any")
		}
		x.Status = domain.SubmissionQuestion
	case "priority":
		if !slices.Contains(domain.Priorities, domain.Priority(in.Priority)) {
			verr.Add("priority", "Choose how urgent it is from the list")
		}
		x.Priority = domain.Priority(in.Priority)
	case "grade":
		if rep, err = sv.reports.prepare(ctx, a, in.Report); err != nil {
			return x, err
		}
		x.Status = domain.SubmissionGraded
	default:
		verr.Add("action", "Choose what to do with the submission")
	}
	if err := verr.Err(); err != nil {
		return x, err
	}
	if in.Action != "priority" {
		x.DecidedBy, x.DecidedAt = a.UserID, &now
	}
	err = sv.st.InGroupTx(ctx, a.PartnershipID, func(ctx context.Context, tx *sql.Tx) error {
		if in.Action == "grade" {
			if err := sv.reports.insert(ctx, tx, a, &rep); err != nil {
				return err
			}
			x.ReportID, x.ReportRef = rep.ID, rep.Reference
		}
		if err := sv.st.UpdateSubmission(ctx, tx, &x); err != nil {
			return err
		}
		_, err := sv.alog.Append(ctx, tx, a, audit.MetaFrom(ctx), audit.Entry{Operation: audit.Alteration, RecordType: string(domain.KindSubmission),
			RecordIDs: []string{x.ID}, Label: x.Reference + ": triage " + in.Action})
		return err
	})
	return x, err
}

// Answer records a submitter's answer to the analyst's question and puts
// the submission back in the queue.
func (sv *Submissions) Answer(ctx context.Context, a domain.Actor, id, answer string) (domain.Submission, error) {
	p, err := sv.policyOf(ctx, sv.st)
	if err != nil {
		return domain.Submission{}, err
	}
	if a.Anonymous() || !p.Allowed(a, authz.View, domain.KindSubmission) {
		return domain.Submission{}, domain.NotFound("submission", id)
	}
	x, err := sv.st.NewSubmissionQuery(p, a, authz.View).WithID(id).WithSubmitter(a.UserID).One(ctx)
	if err != nil {
		return x, err
	}
	verr := &domain.ValidationError{}
	if x.Status != domain.SubmissionQuestion {
		verr.Add("answer", "There is no question waiting for your answer")
		return forSubmitter(x), verr
	}
	x.Answer = textField(verr, "answer", "Your answer", answer, true, domain.SubmissionReasonMax)
	if err := verr.Err(); err != nil {
		return forSubmitter(x), err
	}
	x.Status = domain.SubmissionNew
	err = sv.st.InGroupTx(ctx, a.PartnershipID, func(ctx context.Context, tx *sql.Tx) error {
		if err := sv.st.UpdateSubmission(ctx, tx, &x); err != nil {
			return err
		}
		_, err := sv.alog.Append(ctx, tx, a, audit.MetaFrom(ctx), audit.Entry{Operation: audit.Alteration, RecordType: string(domain.KindSubmission),
			RecordIDs: []string{x.ID}, Label: x.Reference + ": answered"})
		return err
	})
	return forSubmitter(x), err
}

// TriageTargets returns the partnership's triage targets, in hours by
// priority (the defaults where none is set).
func (sv *Submissions) TriageTargets(ctx context.Context, a domain.Actor) (map[domain.Priority]int, error) {
	if a.Anonymous() {
		return nil, domain.ErrForbidden
	}
	t, err := sv.st.TriageTargets(ctx, a.PartnershipID)
	if err != nil {
		return nil, err
	}
	out := map[domain.Priority]int{}
	for p, d := range t {
		out[p] = int(d.Hours())
	}
	return out, nil
}

// MaxTriageHours is the longest target a partnership may set: 90 days.
const MaxTriageHours = 90 * 24

// SetTriageTargets sets the partnership's triage targets (administrators):
// whole hours from 1 to MaxTriageHours for every priority, the more urgent
// never longer than the less urgent. Nothing is stored unless all are
// right.
func (sv *Submissions) SetTriageTargets(ctx context.Context, a domain.Actor, in map[domain.Priority]string) error {
	if !a.Has(domain.RoleAdministrator) {
		return domain.ErrForbidden
	}
	verr := &domain.ValidationError{}
	hours := map[domain.Priority]int{}
	prev := 0
	for _, p := range domain.Priorities {
		field := "hours_" + string(p)
		v := strings.TrimSpace(in[p])
		n, err := strconv.Atoi(v)
		switch {
		case v == "":
			verr.Add(field, "Enter the target for %s, in hours", strings.ToLower(p.Label()))
			continue
		case err != nil || n < 1 || n > MaxTriageHours:
			verr.Add(field, "The target for %s must be a whole number of hours from 1 to %s", strings.ToLower(p.Label()), domain.FormatCount(MaxTriageHours))
			continue
		case n < prev:
			verr.Add(field, "The target for %s must not be shorter than for a more urgent priority", strings.ToLower(p.Label()))
		}
		hours[p], prev = n, n
	}
	if err := verr.Err(); err != nil {
		return err
	}
	return sv.st.InGroupTx(ctx, a.PartnershipID, func(ctx context.Context, tx *sql.Tx) error {
		if err := sv.st.SetTriageTargets(ctx, tx, a.PartnershipID, hours); err != nil {
			return err
		}
		_, err := sv.alog.Append(ctx, tx, a, audit.MetaFrom(ctx), audit.Entry{Operation: audit.Alteration, RecordType: "triage_target",
			Label: "Triage targets"})
		return err
	})
}
