package web

// The OCG register's pages: the list of groups, proposing and editing a
// group, its page with members, links, 4P plan and lifecycle history, the
// lifecycle steps, members, people and other entities, links, and the 4P
// plan with its actions. Every read and write goes through
// service.Register, which applies the access policy and writes the audit
// log; a record the user may not see is "Page not found".
//
// This file holds what the register's pages share (template functions,
// the purpose prompt, options); each resource's pages are in
// register_<resource>.go, as the service's are.

import (
	"errors"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"alliance/internal/authz"
	"alliance/internal/domain"
	"alliance/internal/router"
	"alliance/internal/service"
	"alliance/internal/web/view"
)

// registerFuncs are the template functions the register's pages use.
var registerFuncs = template.FuncMap{
	"ukDay":        ukDay,
	"scoreText":    scoreText,
	"statusClass":  statusClass,
	"actionClass":  actionClass,
	"confidence":   confidenceLabel,
	"gender":       genderLabel,
	"nodeHref":     nodeHref,
	"handlingText": handlingText,
	"planStatus":   planStatusLabel,
	"money":        moneyText,
	"monthsText":   monthsText,
	"cell":         cellText,
	"rate":         rateText,
	"dict":         dict,
	"fresh":        freshOptions,
	"agencyChoice": agencyChoice,
	"sub":          sub,
	"apmisLabel":   service.APMISLabel,
	"waited":       waited,
	"waitedFor":    waitedFor,
	"add":          func(a, b int) int { return a + b },
	"reasonLabel":  func(r service.AttentionReason) string { return r.Label() },
}

func planStatusLabel(s domain.PlanStatus) string {
	switch s {
	case domain.PlanDraft:
		return "Draft"
	case domain.PlanActive:
		return "Active"
	case domain.PlanUnderReview:
		return "Under review"
	case domain.PlanClosed:
		return "Closed"
	}
	return string(s)
}

// ukDay writes a day as "22 November 2026", or "" for none.
func ukDay(v any) string {
	switch t := v.(type) {
	case *time.Time:
		if t == nil {
			return ""
		}
		return domain.FormatUK(*t)
	case time.Time:
		if t.IsZero() {
			return ""
		}
		return domain.FormatUK(t)
	}
	return ""
}

// inputDay writes a day as typed in forms: 22/11/2026.
func inputDay(t *time.Time) string {
	if t == nil {
		return ""
	}
	return t.Format("02/01/2006")
}

func scoreText(s *float64) string {
	if s == nil {
		return ""
	}
	return strconv.FormatFloat(*s, 'f', -1, 64)
}

// statusClass is the GOV.UK tag colour of a lifecycle state.
func statusClass(s domain.OCGStatus) string {
	switch s {
	case domain.StatusProposed:
		return "govuk-tag--grey"
	case domain.StatusUnderAssessment:
		return "govuk-tag--yellow"
	case domain.StatusMapped:
		return "govuk-tag--blue"
	case domain.StatusAdopted:
		return "govuk-tag--green"
	case domain.StatusManaged:
		return "govuk-tag--turquoise"
	case domain.StatusArchived:
		return "govuk-tag--grey"
	}
	return ""
}

func actionClass(s domain.ActionStatus) string {
	switch s {
	case domain.ActionNotStarted:
		return "govuk-tag--grey"
	case domain.ActionInProgress:
		return "govuk-tag--blue"
	case domain.ActionDone:
		return "govuk-tag--green"
	case domain.ActionCancelled:
		return "govuk-tag--red"
	}
	return ""
}

func confidenceLabel(c domain.Confidence) string {
	switch c {
	case domain.ConfidenceHigh:
		return "High"
	case domain.ConfidenceMedium:
		return "Medium"
	case domain.ConfidenceLow:
		return "Low"
	}
	return string(c)
}

func genderLabel(g string) string {
	if g == "" {
		return ""
	}
	return strings.ToUpper(g[:1]) + g[1:]
}

// nodeHref is the page of a link's end.
func nodeHref(kind domain.NodeKind, id string) string {
	if kind == domain.NodeOCG {
		return "/ocgs/" + id
	}
	return "/people/" + id
}

// handlingText describes a record's handling code in words.
func handlingText(m domain.Marking) string {
	switch m.Handling {
	case domain.HandlingP:
		return "P: lawful sharing permitted"
	case domain.HandlingC:
		return "C: lawful sharing permitted with conditions"
	}
	return string(m.Handling)
}

// withGroups adds "Groups" to the navigation of users whose roles let them
// read the register at all.
func withGroups(pol authz.Policy, a domain.Actor, items []view.NavItem, current string) []view.NavItem {
	if a.Anonymous() || len(items) == 0 || !pol.Allowed(a, authz.List, domain.KindOCG) {
		return items
	}
	item := view.NavItem{Label: "Groups", Href: "/ocgs", Current: current == "/ocgs"}
	return slices.Insert(items, 1, item)
}

// ----- The list -----

// ----- Proposing and editing -----

// selectOptions marks the options whose value is selected.
func selectOptions(opts []Option, selected string) []Option {
	out := slices.Clone(opts)
	for i := range out {
		out[i].Checked = out[i].Value == selected
	}
	return out
}

// markingInput reads the marking fields the report form also uses.
func markingInput(f *Form) domain.MarkingInput {
	return domain.MarkingInput{Classification: f.Get("classification"), Handling: f.Get("handling"), HandlingNote: f.Get("handling_conditions"),
		ConditionAgencies: f.Values["condition_agencies"], ConditionTypes: f.Values["condition_types"],
		Restricted: f.Get("restricted") == "yes", NamedAgencies: f.Values["named_agencies"], NamedUsers: splitLines(f.Get("named_users"))}
}

// ----- The group page -----

// ----- The purpose prompt for groups and people -----

type registerPurposeData struct {
	Need     *service.PurposeNeeded
	Form     *Form
	Purposes []Option
	Action   string
	Back     string
	Next     string
}

// registerPurposePage asks why the user opens a group (base "/ocgs/") or
// a person or other entity (base "/people/").
func (h *Web) registerPurposePage(w http.ResponseWriter, r *http.Request, status int, need *service.PurposeNeeded, base string, f *Form) error {
	ps, err := h.reports.Purposes(r.Context())
	if err != nil {
		return err
	}
	opts := make([]Option, len(ps))
	for i, p := range ps {
		opts[i] = Option{Value: p.Code, Label: p.Name}
	}
	back := "/ocgs"
	if base == "/people/" {
		back = "/search"
	}
	p := h.newPage(r, "Why are you opening this record?", "/ocgs")
	p.Errors = f.Summary()
	p.Data = registerPurposeData{Need: need, Form: f, Purposes: opts, Action: base + need.ID + "/purpose", Back: back, Next: safeNext(f.Get("next"))}
	return h.render(w, r, status, "ocg_purpose", p)
}

func (h *Web) registerPurpose(base string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := parseForm(w, r); err != nil {
			return err
		}
		f := NewForm(r.PostForm)
		id := r.PathValue("id")
		a := router.ActorFrom(r.Context())
		err := h.register.GivePurpose(r.Context(), a, id, f.Get("purpose"), f.Get("detail"))
		if f.FailAll(err) {
			var verr error
			if base == "/ocgs/" {
				_, verr = h.register.Group(r.Context(), a, id)
			} else {
				_, verr = h.register.Entity(r.Context(), a, id)
			}
			var need *service.PurposeNeeded
			if errors.As(verr, &need) {
				return h.registerPurposePage(w, r, http.StatusUnprocessableEntity, need, base, f)
			}
			return verr
		}
		if err != nil {
			return err
		}
		next := base + id
		if n := safeNext(f.Get("next")); strings.HasPrefix(n, base+id) {
			next = n
		}
		seeOther(w, r, next)
		return nil
	}
}

// ----- Lifecycle steps -----

func userOptions(users []domain.User, blank string) []Option {
	opts := []Option{{Value: "", Label: blank}}
	for _, u := range users {
		opts = append(opts, Option{Value: u.ID, Label: u.DisplayName + " (" + u.AgencyName + ")"})
	}
	return opts
}

// ----- Members, people, links -----

// ----- The 4P plan -----
