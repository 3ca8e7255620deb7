package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"alliance/internal/domain"
	"alliance/internal/router"
	"alliance/internal/service"
)

// maxPublicReport is the most a public report's form may send: far more
// than its fields allow, far less than a flood would like.
const maxPublicReport = 64 << 10

// publicReportData is the public reporting page.
type publicReportData struct {
	Form         *Form
	Partnerships []Option // to choose from when the deployment serves several
	Reference    string   // after sending
}

// reportCrimeForm shows the public reporting page: no account, no cookie,
// no script needed.
func (h *Web) reportCrimeForm(w http.ResponseWriter, r *http.Request) error {
	return h.reportCrimePage(w, r, http.StatusOK, NewForm(nil))
}

func (h *Web) reportCrimePage(w http.ResponseWriter, r *http.Request, status int, f *Form) error {
	ps, err := h.svc.Partnerships(r.Context())
	if err != nil {
		return err
	}
	d := publicReportData{Form: f}
	if len(ps) > 1 {
		for _, p := range ps {
			d.Partnerships = append(d.Partnerships, Option{Value: p.Slug, Label: p.Name, Checked: f.Get("partnership") == p.Slug})
		}
	}
	page := h.newPage(r, "Report organised crime", "")
	page.Errors = f.Summary()
	page.Data = d
	w.Header().Set("Cache-Control", "no-store")
	return h.render(w, r, status, "report_crime", page)
}

// reportCrime stores a public report and answers with its reference and
// nothing else. The honeypot field must be empty; the form is limited in
// size; nothing about the reporter (address, browser, cookie) is kept.
func (h *Web) reportCrime(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxPublicReport)
	if err := parseForm(w, r); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			f := NewForm(nil)
			f.Fail("what", "Your report is too long to send. Shorten it and try again")
			return h.reportCrimePage(w, r, http.StatusRequestEntityTooLarge, f)
		}
		return err
	}
	f := NewForm(r.PostForm)
	if f.Get("website") != "" { // the honeypot: people never see it
		f.Fail("website", "Leave this field empty")
		return h.reportCrimePage(w, r, http.StatusUnprocessableEntity, f)
	}
	ps, err := h.svc.Partnerships(r.Context())
	if err != nil {
		return err
	}
	var pid string
	switch {
	case len(ps) == 1:
		pid = ps[0].ID
	default:
		for _, p := range ps {
			if p.Slug == f.Get("partnership") {
				pid = p.ID
			}
		}
	}
	x, err := h.submissions.Report(r.Context(), pid, service.SubmissionInput{What: f.Get("what"), Where: f.Get("where"), When: f.Get("when"),
		Who: f.Get("who"), Contact: f.Get("contact")})
	if f.FailAll(err) {
		return h.reportCrimePage(w, r, http.StatusUnprocessableEntity, f)
	}
	if err != nil {
		return err
	}
	d := publicReportData{Form: NewForm(nil), Reference: x.Reference}
	page := h.newPage(r, "Report sent", "")
	page.Data = d
	w.Header().Set("Cache-Control", "no-store")
	return h.render(w, r, http.StatusOK, "report_crime", page)
}

// reportCrimeTooMany answers a flood from one address.
func (h *Web) reportCrimeTooMany(w http.ResponseWriter, r *http.Request) error {
	f := NewForm(nil)
	f.Fail("what", "Too many reports have been sent from your network. Wait a few minutes, then try again. In an emergency call 999")
	return h.reportCrimePage(w, r, http.StatusTooManyRequests, f)
}

// submissionFormData is the partner's submission form.
type submissionFormData struct {
	Form       *Form
	Groups     []Option
	Areas      []Option
	Priorities []Option
}

func (h *Web) submissionNew(w http.ResponseWriter, r *http.Request) error {
	return h.submissionFormPage(w, r, http.StatusOK, NewForm(url.Values{"priority": {string(domain.PriorityRoutine)}}))
}

func (h *Web) submissionFormPage(w http.ResponseWriter, r *http.Request, status int, f *Form) error {
	a := router.ActorFrom(r.Context())
	if !h.submissions.MaySubmit(r.Context(), a) {
		return domain.ErrForbidden
	}
	d := submissionFormData{Form: f}
	var err error
	if d.Groups, err = h.groupChoice(r, f); err != nil {
		return err
	}
	form, err := h.disruptions.Form(r.Context(), a)
	if err != nil && !errors.Is(err, domain.ErrForbidden) {
		return err
	}
	d.Areas = []Option{{Value: "", Label: "Not known"}}
	for _, u := range form.Units {
		if u.Level == domain.LevelWard || u.Level == domain.LevelDistrict {
			label := u.Name + " (district)"
			if u.Level == domain.LevelWard {
				label = u.Name + " (ward)"
			}
			d.Areas = append(d.Areas, Option{Value: u.ID, Label: label, Checked: f.Get("unit") == u.ID})
		}
	}
	for _, p := range domain.Priorities {
		d.Priorities = append(d.Priorities, Option{Value: string(p), Label: p.Label(), Checked: f.Get("priority") == string(p)})
	}
	page := h.newPage(r, "Tell the intelligence unit", "/submissions")
	page.Errors = f.Summary()
	page.Data = d
	return h.render(w, r, status, "submission_new", page)
}

func (h *Web) submissionCreate(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	f := NewForm(r.PostForm)
	x, err := h.submissions.Submit(r.Context(), router.ActorFrom(r.Context()), service.SubmissionInput{What: f.Get("what"), Where: f.Get("where"),
		When: f.Get("when"), Who: f.Get("who"), OCGID: f.Get("ocg"), UnitID: f.Get("unit"), Priority: f.Get("priority")})
	if f.FailAll(err) {
		return h.submissionFormPage(w, r, http.StatusUnprocessableEntity, f)
	}
	if err != nil {
		return err
	}
	seeOther(w, r, "/submissions/"+x.ID)
	return nil
}

// submissionsMine lists the user's own submissions.
func (h *Web) submissionsMine(w http.ResponseWriter, r *http.Request) error {
	a := router.ActorFrom(r.Context())
	list, err := h.submissions.Mine(r.Context(), a)
	if err != nil {
		return err
	}
	page := h.newPage(r, "Your submissions", "/submissions")
	page.Data = struct {
		Rows      []domain.Submission
		MaySubmit bool
		MayTriage bool
	}{list, h.submissions.MaySubmit(r.Context(), a), h.submissions.MayTriage(r.Context(), a)}
	return h.render(w, r, http.StatusOK, "submissions", page)
}

// submissionData is one submission's page: the triage view for an
// analyst, the submitter's view otherwise.
type submissionData struct {
	X          domain.Submission
	Triage     bool
	Form       *Form
	Priorities []Option
	Waited     string
}

func (h *Web) submissionShow(w http.ResponseWriter, r *http.Request) error {
	return h.submissionPage(w, r, http.StatusOK, NewForm(nil))
}

func (h *Web) submissionPage(w http.ResponseWriter, r *http.Request, status int, f *Form) error {
	a := router.ActorFrom(r.Context())
	x, triage, err := h.submissions.Submission(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	d := submissionData{X: x, Triage: triage, Form: f, Waited: waitedFor(time.Since(x.CreatedAt))}
	if f.Get("priority") == "" {
		f.Values.Set("priority", string(x.Priority))
	}
	for _, p := range domain.Priorities {
		d.Priorities = append(d.Priorities, Option{Value: string(p), Label: p.Label(), Checked: f.Get("priority") == string(p)})
	}
	if f.Get("classification") == "" {
		f.Values.Set("classification", "OFFICIAL-SENSITIVE")
		f.Values.Set("handling", "P")
		f.Values.Set("restricted", "no")
	}
	page := h.newPage(r, "Submission "+x.Reference, "/submissions")
	page.Errors = f.Summary()
	page.Data = d
	return h.render(w, r, status, "submission", page)
}

// submissionDecide is an analyst's triage step on a submission.
func (h *Web) submissionDecide(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	f := NewForm(r.PostForm)
	m := markingInput(f)
	in := service.TriageDecision{Action: f.Get("action"), Reason: f.Get("reason"), Question: f.Get("question"), Priority: f.Get("priority"),
		Report: service.ReportInput{Title: f.Get("title"), Body: f.Get("body"), SourceGrade: f.Get("source_grade"), IntelGrade: f.Get("intel_grade"),
			Classification: m.Classification, Handling: m.Handling, HandlingConditions: m.HandlingNote, ConditionAgencies: m.ConditionAgencies,
			ConditionTypes: m.ConditionTypes, Restricted: m.Restricted, NamedAgencies: m.NamedAgencies, NamedUsers: m.NamedUsers}}
	x, err := h.submissions.Decide(r.Context(), router.ActorFrom(r.Context()), r.PathValue("id"), in)
	if f.FailAll(err) {
		return h.submissionPage(w, r, http.StatusUnprocessableEntity, f)
	}
	if err != nil {
		return err
	}
	if x.ReportID != "" && in.Action == "grade" {
		seeOther(w, r, "/reports/"+x.ReportID)
		return nil
	}
	seeOther(w, r, "/triage")
	return nil
}

// submissionAnswer is the submitter's answer to the analyst's question.
func (h *Web) submissionAnswer(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	f := NewForm(r.PostForm)
	x, err := h.submissions.Answer(r.Context(), router.ActorFrom(r.Context()), r.PathValue("id"), f.Get("answer"))
	if f.FailAll(err) {
		return h.submissionPage(w, r, http.StatusUnprocessableEntity, f)
	}
	if err != nil {
		return err
	}
	seeOther(w, r, "/submissions/"+x.ID)
	return nil
}

// triageData is the triage queue.
type triageData struct {
	Q       service.TriagePage
	Targets []string
}

// triage is the intelligence unit's queue: the most urgent first, then
// the longest waiting, each against the partnership's target.
func (h *Web) triage(w http.ResponseWriter, r *http.Request) error {
	pageNo := 1
	if v := r.URL.Query().Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return domain.ErrNotFound
		}
		pageNo = n
	}
	q, err := h.submissions.Triage(r.Context(), router.ActorFrom(r.Context()), pageNo)
	if err != nil {
		return err
	}
	d := triageData{Q: q}
	for _, p := range domain.Priorities {
		d.Targets = append(d.Targets, fmt.Sprintf("%s: %s", p.Label(), hoursText(q.Targets[p])))
	}
	page := h.newPage(r, "Triage", "/triage")
	page.Data = d
	return h.render(w, r, http.StatusOK, "triage", page)
}

// hoursText writes a duration in whole hours or days: "4 hours", "5 days".
func hoursText(d time.Duration) string {
	h := int(d.Hours())
	if h >= 48 && h%24 == 0 {
		return domain.Count(h/24, "day", "days")
	}
	return domain.Count(h, "hour", "hours")
}

// waitedFor writes how long something has waited: minutes, hours or days.
func waitedFor(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "less than a minute"
	case d < time.Hour:
		return domain.Count(int(d.Minutes()), "minute", "minutes")
	case d < 48*time.Hour:
		return domain.Count(int(d.Hours()), "hour", "hours")
	}
	return domain.Count(int(d.Hours()/24), "day", "days")
}

// triageTargetsData is the administrator's triage targets form.
type triageTargetsData struct {
	Form   *Form
	Fields []triageTargetField
}

type triageTargetField struct{ Name, Label string }

func (h *Web) triageTargetsForm(w http.ResponseWriter, r *http.Request) error {
	t, err := h.submissions.TriageTargets(r.Context(), router.ActorFrom(r.Context()))
	if err != nil {
		return err
	}
	v := url.Values{}
	for p, n := range t {
		v.Set("hours_"+string(p), strconv.Itoa(n))
	}
	return h.triageTargetsPage(w, r, http.StatusOK, NewForm(v))
}

func (h *Web) triageTargetsPage(w http.ResponseWriter, r *http.Request, status int, f *Form) error {
	d := triageTargetsData{Form: f}
	for _, p := range domain.Priorities {
		d.Fields = append(d.Fields, triageTargetField{Name: "hours_" + string(p), Label: p.Label() + " (hours)"})
	}
	page := h.newPage(r, "Triage targets", "/admin/triage-targets")
	page.Errors = f.Summary()
	page.Data = d
	return h.render(w, r, status, "triage_targets", page)
}

func (h *Web) triageTargetsSave(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	f := NewForm(r.PostForm)
	in := map[domain.Priority]string{}
	for _, p := range domain.Priorities {
		in[p] = f.Get("hours_" + string(p))
	}
	err := h.submissions.SetTriageTargets(r.Context(), router.ActorFrom(r.Context()), in)
	if f.FailAll(err) {
		return h.triageTargetsPage(w, r, http.StatusUnprocessableEntity, f)
	}
	if err != nil {
		return err
	}
	seeOther(w, r, "/admin/triage-targets?saved=1")
	return nil
}
