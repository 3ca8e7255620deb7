package service

import (
	"context"
	"database/sql"
	"strings"
	"time"
	"unicode/utf8"

	"alliance/internal/audit"
	"alliance/internal/authz"
	"alliance/internal/domain"
)

// Transition moves a group to in.To, applying the lifecycle rules: no
// mapping without a score, no adoption without an LRO, an SRO and a
// decision, no archive without a reason, a rationale and a decision. The
// step, who took it, when and the decision behind it are recorded; an
// archived group keeps its members, links, plans and history and stays
// readable.
func (g *Register) Transition(ctx context.Context, a domain.Actor, id string, in domain.TransitionInput) (domain.OCG, error) {
	p, err := g.Policy(ctx)
	if err != nil {
		return domain.OCG{}, err
	}
	o, err := g.st.NewOCGQuery(p, a, authz.View).WithID(id).One(ctx)
	if err != nil {
		return domain.OCG{}, err
	}
	if err := p.Can(a, authz.Edit, domain.KindOCG, o.Marking); err != nil {
		return domain.OCG{}, err
	}
	in.Decision, in.Note, in.Rationale = strings.TrimSpace(in.Decision), strings.TrimSpace(in.Note), strings.TrimSpace(in.Rationale)
	if err := domain.CheckTransition(o, in, o.Score != nil); err != nil {
		return domain.OCG{}, err
	}
	on, err := g.checkStep(ctx, a, o, in)
	if err != nil {
		return domain.OCG{}, err
	}
	from := o.Status
	takeStep(&o, in, on)
	note := in.Note
	if in.To == domain.StatusArchived {
		note = strings.TrimSpace(o.ArchiveReason.Label() + ". " + in.Rationale)
	}
	err = g.st.InTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := g.st.UpdateOCG(ctx, tx, &o, from); err != nil {
			return err
		}
		if err := g.st.InsertTransition(ctx, tx, a.PartnershipID, &domain.Transition{OCGID: o.ID, From: from, To: in.To, DecidedOn: on,
			Decision: in.Decision, Note: note, ActorID: a.UserID}); err != nil {
			return err
		}
		_, err := g.alog.Append(ctx, tx, a, audit.MetaFrom(ctx), audit.Entry{Operation: audit.Alteration, RecordType: string(domain.KindOCG),
			RecordIDs: []string{o.ID}, Label: o.Reference + ": " + from.Label() + " to " + in.To.Label(),
			Fields: []string{"status"}})
		return err
	})
	return o, err
}

// checkStep checks what Transition cannot check without the database or
// the clock: the decision date (today or before, not before the group's
// last step), the officers named (active users of the partnership) and
// the length of the explanation. It returns the day of the decision.
func (g *Register) checkStep(ctx context.Context, a domain.Actor, o domain.OCG, in domain.TransitionInput) (time.Time, error) {
	verr := &domain.ValidationError{}
	on := g.today()
	if in.DecidedOn != "" {
		on, _ = domain.ParseDay(in.DecidedOn)
		if on.After(g.today()) {
			verr.Add("decided_on", "The decision date must be today or in the past")
		}
	}
	history, err := g.st.Transitions(ctx, o.ID)
	if err != nil {
		return on, err
	}
	if n := len(history); n > 0 && on.Before(history[n-1].DecidedOn) {
		verr.Add("decided_on", "The decision date cannot be before the group's last step, on %s", domain.FormatUK(history[n-1].DecidedOn))
	}
	if in.LROUserID != "" {
		if _, err := g.activeUser(ctx, a, in.LROUserID); err != nil {
			verr.Add("lro", "Choose an active user of this partnership as lead responsible officer")
		}
	}
	if in.SROUserID != "" {
		if _, err := g.activeUser(ctx, a, in.SROUserID); err != nil {
			verr.Add("sro", "Choose an active user of this partnership as senior responsible officer")
		}
	}
	if utf8.RuneCountInString(in.Rationale) > 5000 || utf8.RuneCountInString(in.Note) > 5000 {
		verr.Add("rationale", "The explanation must be 5,000 characters or fewer")
	}
	return on, verr.Err()
}

// takeStep moves o to in.To on day on: adoption names its officers, its
// day and its review; archiving records why; reopening an archived group
// clears the archive decision, which stays in the history only.
func takeStep(o *domain.OCG, in domain.TransitionInput, on time.Time) {
	from := o.Status
	o.Status = in.To
	switch in.To {
	case domain.StatusAdopted:
		if in.LROUserID != "" {
			o.LROUserID = in.LROUserID
		}
		if in.SROUserID != "" {
			o.SROUserID = in.SROUserID
		}
		if o.AdoptedOn == nil {
			d := on
			o.AdoptedOn = &d
		}
		if in.ReviewDue != "" {
			d, _ := domain.ParseDay(in.ReviewDue)
			o.ReviewDue = &d
		}
	case domain.StatusArchived:
		reason, _ := domain.ParseArchiveReason(in.ArchiveReason)
		d := on
		o.ArchivedOn, o.ArchiveReason, o.ArchiveWhy, o.ArchiveBy = &d, reason, in.Rationale, in.Decision
	case domain.StatusUnderAssessment:
		if from == domain.StatusArchived {
			o.ArchivedOn, o.ArchiveReason, o.ArchiveWhy, o.ArchiveBy = nil, "", "", ""
		}
	}
}
