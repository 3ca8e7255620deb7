package service

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"alliance/internal/audit"
	"alliance/internal/domain"
)

// PlanInput starts or revises a group's 4P plan.
type PlanInput struct {
	Objectives string
	ReviewDue  string // UK date
	Status     string // draft, active or under_review; active when empty
}

// SavePlan makes the group's current plan say in: a new plan (version 1,
// or the next version when asked with NewVersion) or the current one
// revised. The LRO or SRO (any agency) or the originating agency's
// analysts may.
func (g *Register) SavePlan(ctx context.Context, a domain.Actor, ocgID string, in PlanInput, newVersion bool) (domain.Plan, error) {
	_, o, err := g.keptGroup(ctx, a, ocgID)
	if err != nil {
		return domain.Plan{}, err
	}
	verr := &domain.ValidationError{}
	review, ok := domain.ParseDay(in.ReviewDue)
	if !ok {
		verr.Add("review_due", "Enter the plan's review date, like 22/11/2026")
	}
	status := domain.PlanStatus(strings.TrimSpace(in.Status))
	if status == "" {
		status = domain.PlanActive
	}
	if !slices.Contains([]domain.PlanStatus{domain.PlanDraft, domain.PlanActive, domain.PlanUnderReview}, status) {
		verr.Add("status", "Choose draft, active or under review")
	}
	objectives := strings.TrimSpace(in.Objectives)
	if utf8.RuneCountInString(objectives) > 20000 {
		verr.Add("objectives", "Objectives must be 20,000 characters or fewer")
	}
	if err := verr.Err(); err != nil {
		return domain.Plan{}, err
	}
	current, err := g.st.CurrentPlan(ctx, o.ID)
	exists := err == nil
	if err != nil && !errors.Is(err, domain.ErrNotFound) {
		return domain.Plan{}, err
	}
	plan := domain.Plan{OCGID: o.ID, Status: status, Objectives: objectives, ReviewDue: review, CreatedBy: a.UserID}
	err = g.st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if exists && !newVersion {
			current.Status, current.Objectives, current.ReviewDue = status, objectives, review
			if err := g.st.UpdatePlan(ctx, tx, &current); err != nil {
				return err
			}
			plan = current
		} else {
			if err := g.st.InsertPlan(ctx, tx, a.PartnershipID, &plan); err != nil {
				return err
			}
			if exists {
				// Open actions carry over to the new version.
				for _, act := range current.Actions {
					if act.Status == domain.ActionDone || act.Status == domain.ActionCancelled {
						continue
					}
					act.ID, act.PlanID, act.CreatedAt = "", plan.ID, time.Time{}
					if err := g.st.InsertPlanAction(ctx, tx, a.PartnershipID, &act); err != nil {
						return err
					}
				}
			}
		}
		_, err := g.alog.Append(ctx, tx, a, audit.MetaFrom(ctx), audit.Entry{Operation: audit.Alteration, RecordType: string(domain.KindOCG),
			RecordIDs: []string{o.ID}, Label: fmt.Sprintf("%s 4P plan version %d", o.Reference, plan.Version)})
		return err
	})
	return plan, err
}

// ActionInput is a 4P plan action.
type ActionInput struct {
	Strand        string
	Description   string
	OwnerAgencyID string
	OwnerName     string
	DueOn         string // UK date
	Status        string
	Outcome       string
}

// AddAction adds an action to the group's current plan.
func (g *Register) AddAction(ctx context.Context, a domain.Actor, ocgID string, in ActionInput) (domain.PlanAction, error) {
	_, o, err := g.keptGroup(ctx, a, ocgID)
	if err != nil {
		return domain.PlanAction{}, err
	}
	plan, err := g.st.CurrentPlan(ctx, o.ID)
	if err != nil {
		return domain.PlanAction{}, err
	}
	verr := &domain.ValidationError{}
	act := domain.PlanAction{PlanID: plan.ID, Description: strings.TrimSpace(in.Description), OwnerAgencyID: in.OwnerAgencyID,
		OwnerName: strings.TrimSpace(in.OwnerName), Status: domain.ActionNotStarted, Outcome: strings.TrimSpace(in.Outcome)}
	if s, ok := domain.ParseFourP(in.Strand); ok {
		act.Strand = s
	} else {
		verr.Add("strand", "Choose Pursue, Prevent, Protect or Prepare")
	}
	switch n := utf8.RuneCountInString(act.Description); {
	case n == 0:
		verr.Add("description", "Describe the action")
	case n > 2000:
		verr.Add("description", "The description must be 2,000 characters or fewer")
	}
	agencies, err := g.st.Agencies(ctx, a.PartnershipID)
	if err != nil {
		return domain.PlanAction{}, err
	}
	if !slices.ContainsFunc(agencies, func(ag domain.Agency) bool { return ag.ID == in.OwnerAgencyID }) {
		verr.Add("owner_agency", "Choose the agency that owns the action")
	}
	if act.OwnerName == "" {
		verr.Add("owner_name", "Enter the person who owns the action")
	}
	if d, ok := domain.ParseDay(in.DueOn); ok {
		act.DueOn = d
	} else {
		verr.Add("due_on", "Enter the due date, like 22/11/2026")
	}
	if in.Status != "" {
		st := domain.ActionStatus(in.Status)
		if !slices.Contains(domain.ActionStatuses, st) {
			verr.Add("status", "Choose the action's status")
		}
		act.Status = st
	}
	if act.Status == domain.ActionDone && act.Outcome == "" {
		verr.Add("outcome", "Record the outcome of a finished action")
	}
	if err := verr.Err(); err != nil {
		return domain.PlanAction{}, err
	}
	err = g.st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := g.st.InsertPlanAction(ctx, tx, a.PartnershipID, &act); err != nil {
			return err
		}
		_, err := g.alog.Append(ctx, tx, a, audit.MetaFrom(ctx), audit.Entry{Operation: audit.Alteration, RecordType: string(domain.KindOCG),
			RecordIDs: []string{o.ID}, Label: o.Reference + " 4P plan: " + act.Strand.Label() + " action added"})
		return err
	})
	return act, err
}

// UpdateAction records an action's status and outcome.
func (g *Register) UpdateAction(ctx context.Context, a domain.Actor, ocgID, actionID, status, outcome string) error {
	_, o, err := g.keptGroup(ctx, a, ocgID)
	if err != nil {
		return err
	}
	plan, err := g.st.CurrentPlan(ctx, o.ID)
	if err != nil {
		return err
	}
	st := domain.ActionStatus(status)
	verr := &domain.ValidationError{}
	if !slices.Contains(domain.ActionStatuses, st) {
		verr.Add("status", "Choose the action's status")
	}
	outcome = strings.TrimSpace(outcome)
	if st == domain.ActionDone && outcome == "" {
		verr.Add("outcome", "Record the outcome of a finished action")
	}
	if err := verr.Err(); err != nil {
		return err
	}
	return g.st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := g.st.UpdatePlanAction(ctx, tx, plan.ID, &domain.PlanAction{ID: actionID, Status: st, Outcome: outcome}); err != nil {
			return err
		}
		_, err := g.alog.Append(ctx, tx, a, audit.MetaFrom(ctx), audit.Entry{Operation: audit.Alteration, RecordType: string(domain.KindOCG),
			RecordIDs: []string{o.ID}, Label: o.Reference + " 4P plan action " + st.Label()})
		return err
	})
}
