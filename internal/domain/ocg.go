package domain

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Record kinds of the OCG register. Entities (people, businesses,
// locations, vehicles, phones) share one kind: the access policy treats
// them alike.
const (
	KindOCG    RecordKind = "ocg"
	KindEntity RecordKind = "entity"
)

// Threat is one SOC threat from the reference data, e.g. "county_lines".
type Threat struct {
	Code         string
	Name         string
	PictureGroup string // how the OCG picture gathers it, e.g. "Drugs or county lines"
	National     bool   // a 2018 SOC Strategy category rather than a local theme
	SortOrder    int
}

// OCGStatus is where a group is in its lifecycle (DOMAIN.md §1.3).
type OCGStatus string

// Lifecycle states, in order.
const (
	StatusProposed        OCGStatus = "proposed"
	StatusUnderAssessment OCGStatus = "under_assessment"
	StatusMapped          OCGStatus = "mapped"
	StatusAdopted         OCGStatus = "adopted"
	StatusManaged         OCGStatus = "managed"
	StatusArchived        OCGStatus = "archived"
)

// OCGStatuses lists the states in lifecycle order.
var OCGStatuses = []OCGStatus{StatusProposed, StatusUnderAssessment, StatusMapped, StatusAdopted, StatusManaged, StatusArchived}

// Label is the status as people say it.
func (s OCGStatus) Label() string {
	switch s {
	case StatusProposed:
		return "Proposed"
	case StatusUnderAssessment:
		return "Under assessment"
	case StatusMapped:
		return "Mapped"
	case StatusAdopted:
		return "Adopted"
	case StatusManaged:
		return "Managed"
	case StatusArchived:
		return "Archived"
	}
	return string(s)
}

// Active reports whether a group in s counts as an active, mapped group
// (scored and on the register, not archived).
func (s OCGStatus) Active() bool {
	return s == StatusMapped || s == StatusAdopted || s == StatusManaged
}

// ParseOCGStatus accepts a status code.
func ParseOCGStatus(s string) (OCGStatus, bool) {
	st := OCGStatus(strings.TrimSpace(s))
	return st, slices.Contains(OCGStatuses, st)
}

// nextStates is the lifecycle graph. Archived groups may be reopened (back
// to under assessment) because MoPI review may find them active again.
var nextStates = map[OCGStatus][]OCGStatus{
	StatusProposed:        {StatusUnderAssessment, StatusArchived},
	StatusUnderAssessment: {StatusMapped, StatusArchived},
	StatusMapped:          {StatusAdopted, StatusUnderAssessment, StatusArchived},
	StatusAdopted:         {StatusManaged, StatusMapped, StatusArchived},
	StatusManaged:         {StatusAdopted, StatusArchived},
	StatusArchived:        {StatusUnderAssessment},
}

// NextStates lists where a group in s may go next.
func (s OCGStatus) NextStates() []OCGStatus { return slices.Clone(nextStates[s]) }

// OwnershipLevel is who owns and tasks a group: the force, the ROCU or the NCA.
type OwnershipLevel string

// Ownership levels.
const (
	OwnLocal    OwnershipLevel = "local"
	OwnRegional OwnershipLevel = "regional"
	OwnNational OwnershipLevel = "national"
)

// Label is the level as people say it.
func (l OwnershipLevel) Label() string {
	switch l {
	case OwnLocal:
		return "Local (force)"
	case OwnRegional:
		return "Regional (ROCU)"
	case OwnNational:
		return "National (NCA)"
	}
	return string(l)
}

// ParseOwnershipLevel accepts local, regional or national (any case).
func ParseOwnershipLevel(s string) (OwnershipLevel, bool) {
	l := OwnershipLevel(strings.ToLower(strings.TrimSpace(s)))
	switch l {
	case OwnLocal, OwnRegional, OwnNational:
		return l, true
	case "force":
		return OwnLocal, true
	}
	return "", false
}

// ArchiveReason is why a group left the register (DOMAIN.md §1.3).
type ArchiveReason string

// Archive reasons.
const (
	ArchiveDismantled  ArchiveReason = "dismantled"
	ArchiveInactive    ArchiveReason = "inactive"
	ArchiveMerged      ArchiveReason = "merged"
	ArchiveTransferred ArchiveReason = "transferred"
	ArchiveNotAnOCG    ArchiveReason = "not_an_ocg"
)

// ArchiveReasons lists the reasons in the order forms show them.
var ArchiveReasons = []ArchiveReason{ArchiveDismantled, ArchiveInactive, ArchiveMerged, ArchiveTransferred, ArchiveNotAnOCG}

// Label is the reason as people say it.
func (r ArchiveReason) Label() string {
	switch r {
	case ArchiveDismantled:
		return "Dismantled"
	case ArchiveInactive:
		return "Inactive or no current intelligence"
	case ArchiveMerged:
		return "Merged into another group"
	case ArchiveTransferred:
		return "Transferred to another force, region or the NCA"
	case ArchiveNotAnOCG:
		return "Did not meet the OCG definition"
	}
	return string(r)
}

// OCG is an organised crime group on the register.
type OCG struct {
	ID            string
	Reference     string // e.g. "OCG-2026-0042"
	Name          string
	OperationName string
	Summary       string
	Status        OCGStatus
	Ownership     OwnershipLevel
	PrimaryThreat string   // threat code the picture counts it under
	Threats       []string // all threat codes, the primary among them
	HomeUnitID    string
	LeadAgencyID  string
	LROUserID     string
	SROUserID     string
	ReviewDue     *time.Time
	AdoptedOn     *time.Time
	ArchivedOn    *time.Time
	ArchiveReason ArchiveReason
	ArchiveWhy    string // rationale
	ArchiveBy     string // the meeting or decision
	Score         *float64
	Band          string
	Priority      string
	ScoredOn      *time.Time
	Marking       Marking
	HandlingNote  string // the handling conditions in words
	CreatedBy     string
	CreatedAt     time.Time
	UpdatedAt     time.Time

	// Names filled by reads.
	PrimaryThreatName, HomeUnitName, LeadAgencyName, LROName, SROName, OriginAgencyName string
	AreaIDs                                                                             []string
}

// Title is how the group is named on pages: its name with the operation name.
func (o OCG) Title() string {
	if o.OperationName != "" && !strings.EqualFold(o.OperationName, o.Name) {
		return o.Name + " (Operation " + strings.TrimPrefix(o.OperationName, "Operation ") + ")"
	}
	return o.Name
}

// OCGInput is what a user proposes or edits a group with.
type OCGInput struct {
	Name          string
	OperationName string
	Summary       string
	Ownership     string
	PrimaryThreat string
	Threats       []string
	HomeUnitID    string
	LeadAgencyID  string
	AreaIDs       []string
	Marking       MarkingInput
	// ProposedOn is the day the group was proposed (UK date), for records
	// of groups proposed before they were put on Alliance; today when empty.
	ProposedOn string
}

// MarkingInput is a record's protective marking as typed: classification,
// handling code, conditions and need-to-know.
type MarkingInput struct {
	Classification    string
	Handling          string
	HandlingNote      string
	ConditionAgencies []string
	ConditionTypes    []string
	Restricted        bool
	NamedUsers        []string
	NamedAgencies     []string
}

// Transition is one recorded lifecycle step.
type Transition struct {
	ID        string
	OCGID     string
	From, To  OCGStatus
	DecidedOn time.Time
	Decision  string // meeting or decision reference
	Note      string
	ActorID   string
	ActorName string
	At        time.Time
}

// TransitionInput asks to move a group to a new state.
type TransitionInput struct {
	To        OCGStatus
	DecidedOn string // UK date; today when empty
	Decision  string // the meeting or decision behind the step
	Note      string
	// For adoption.
	LROUserID, SROUserID string
	ReviewDue            string
	// For archiving.
	ArchiveReason string
	Rationale     string
}

// CheckTransition applies the lifecycle rules to moving o as asked. It does
// not look at who asks (the policy does). It returns a *ValidationError
// naming the fields that block the step.
func CheckTransition(o OCG, in TransitionInput, hasScore bool) error {
	var v ValidationError
	if !slices.Contains(o.Status.NextStates(), in.To) {
		// The group is not where the request thought it was: a stale form,
		// or another request moved it first. Either way a conflict with
		// its state (409), whichever engine ran the race.
		return ErrTransition(o.Status, in.To)
	}
	if in.DecidedOn != "" {
		if _, ok := ParseDay(in.DecidedOn); !ok {
			v.Add("decided_on", "Enter the decision date as a date, like 22/11/2026")
		}
	}
	switch in.To {
	case StatusMapped:
		if !hasScore {
			v.Add("to", "Score the group before it is mapped: a mapped group has an OCGM score")
		}
	case StatusAdopted:
		lro := in.LROUserID
		if lro == "" {
			lro = o.LROUserID
		}
		sro := in.SROUserID
		if sro == "" {
			sro = o.SROUserID
		}
		if lro == "" {
			v.Add("lro", "Name the lead responsible officer: a group cannot be adopted without one")
		}
		if sro == "" {
			v.Add("sro", "Name the senior responsible officer")
		}
		if strings.TrimSpace(in.Decision) == "" {
			v.Add("decision", "Enter the meeting or decision that adopted the group")
		}
	case StatusArchived:
		if _, ok := ParseArchiveReason(in.ArchiveReason); !ok {
			v.Add("archive_reason", "Choose why the group is archived")
		}
		if strings.TrimSpace(in.Rationale) == "" {
			v.Add("rationale", "Explain why the group is archived")
		}
		if strings.TrimSpace(in.Decision) == "" {
			v.Add("decision", "Enter the meeting or decision that archived the group")
		}
	}
	if in.ReviewDue != "" {
		if _, ok := ParseDay(in.ReviewDue); !ok {
			v.Add("review_due", "Enter the review date as a date, like 22/11/2026")
		}
	}
	return v.Err()
}

// ParseArchiveReason accepts an archive reason code.
func ParseArchiveReason(s string) (ArchiveReason, bool) {
	r := ArchiveReason(strings.TrimSpace(s))
	return r, slices.Contains(ArchiveReasons, r)
}

// EntityKind is the kind of a node in the network besides groups.
type EntityKind string

// Entity kinds.
const (
	EntityPerson   EntityKind = "person"
	EntityBusiness EntityKind = "business"
	EntityLocation EntityKind = "location"
	EntityVehicle  EntityKind = "vehicle"
	EntityPhone    EntityKind = "phone"
)

// EntityKinds lists the kinds.
var EntityKinds = []EntityKind{EntityPerson, EntityBusiness, EntityLocation, EntityVehicle, EntityPhone}

// Label is the kind as people say it.
func (k EntityKind) Label() string {
	switch k {
	case EntityPerson:
		return "Person"
	case EntityBusiness:
		return "Business"
	case EntityLocation:
		return "Location"
	case EntityVehicle:
		return "Vehicle"
	case EntityPhone:
		return "Phone"
	}
	return string(k)
}

// ParseEntityKind accepts an entity kind.
func ParseEntityKind(s string) (EntityKind, bool) {
	k := EntityKind(strings.ToLower(strings.TrimSpace(s)))
	return k, slices.Contains(EntityKinds, k)
}

// Entity is a person, business, location, vehicle or phone.
type Entity struct {
	ID         string
	Reference  string // e.g. "P-000123"
	Kind       EntityKind
	Name       string // a person's full name, a business name, an address, a registration, a number
	Identifier string // normalised registration, number, company number or postcode
	DOB        *time.Time
	Gender     string
	Detail     string
	Aliases    []string
	Nicknames  []string
	Flags      []string
	Marking    Marking
	// HandlingNote is the handling conditions in words, for records coded C.
	HandlingNote string
	CreatedBy    string
	CreatedAt    time.Time
	UpdatedAt    time.Time

	OriginAgencyName string
}

// LinkType is what a link says about its two ends.
type LinkType string

// Link types.
const (
	LinkMemberOf  LinkType = "member_of"
	LinkAssociate LinkType = "associate"
	LinkFamily    LinkType = "family"
	LinkLivesAt   LinkType = "lives_at"
	LinkUses      LinkType = "uses"
	LinkOwns      LinkType = "owns"
	LinkControls  LinkType = "controls"
)

// LinkTypes lists the types.
var LinkTypes = []LinkType{LinkMemberOf, LinkAssociate, LinkFamily, LinkLivesAt, LinkUses, LinkOwns, LinkControls}

// Label is the type as people say it.
func (t LinkType) Label() string {
	switch t {
	case LinkMemberOf:
		return "Member of"
	case LinkAssociate:
		return "Associate of"
	case LinkFamily:
		return "Family of"
	case LinkLivesAt:
		return "Lives at"
	case LinkUses:
		return "Uses"
	case LinkOwns:
		return "Owns"
	case LinkControls:
		return "Controls"
	}
	return string(t)
}

// ParseLinkType accepts a link type, with spaces or hyphens for underscores.
func ParseLinkType(s string) (LinkType, bool) {
	t := LinkType(strings.NewReplacer(" ", "_", "-", "_").Replace(strings.ToLower(strings.TrimSpace(s))))
	return t, slices.Contains(LinkTypes, t)
}

// MemberRole is a nominal's place in a group under OCGM (DOMAIN.md §1.1).
type MemberRole string

// Member roles.
const (
	RolePrincipal   MemberRole = "principal"
	RoleSignificant MemberRole = "significant"
	RolePeripheral  MemberRole = "peripheral"
)

// MemberRoles lists the roles, most senior first.
var MemberRoles = []MemberRole{RolePrincipal, RoleSignificant, RolePeripheral}

// Label is the role as people say it.
func (r MemberRole) Label() string {
	if r == "" {
		return ""
	}
	return strings.ToUpper(string(r[:1])) + string(r[1:])
}

// ParseMemberRole accepts a member role (any case).
func ParseMemberRole(s string) (MemberRole, bool) {
	r := MemberRole(strings.ToLower(strings.TrimSpace(s)))
	return r, slices.Contains(MemberRoles, r)
}

// MemberEndReason is why a membership of a group ended (DOMAIN.md §10
// rule 7: memberships are time-bounded).
type MemberEndReason string

// Reasons a membership ends.
const (
	EndLeft         MemberEndReason = "left"
	EndImprisoned   MemberEndReason = "imprisoned"
	EndDeceased     MemberEndReason = "deceased"
	EndSafeguarded  MemberEndReason = "safeguarded"
	EndMovedAway    MemberEndReason = "moved_away"
	EndAddedInError MemberEndReason = "added_in_error"
	EndOther        MemberEndReason = "other"
)

// MemberEndReasons lists the reasons in the order forms show them.
var MemberEndReasons = []MemberEndReason{EndLeft, EndImprisoned, EndDeceased, EndSafeguarded, EndMovedAway, EndAddedInError, EndOther}

// Label is the reason as people say it.
func (r MemberEndReason) Label() string {
	switch r {
	case EndLeft:
		return "Left the group"
	case EndImprisoned:
		return "In prison"
	case EndDeceased:
		return "Died"
	case EndSafeguarded:
		return "Safeguarded or diverted (exploited or at risk)"
	case EndMovedAway:
		return "Moved out of the area"
	case EndAddedInError:
		return "Added in error"
	case EndOther:
		return "Another reason"
	}
	return string(r)
}

// ParseMemberEndReason accepts a reason's code.
func ParseMemberEndReason(s string) (MemberEndReason, bool) {
	r := MemberEndReason(strings.TrimSpace(s))
	return r, slices.Contains(MemberEndReasons, r)
}

// Confidence is how sure the source of a link is.
type Confidence string

// Confidences.
const (
	ConfidenceHigh   Confidence = "high"
	ConfidenceMedium Confidence = "medium"
	ConfidenceLow    Confidence = "low"
)

// ParseConfidence accepts high, medium or low (any case).
func ParseConfidence(s string) (Confidence, bool) {
	c := Confidence(strings.ToLower(strings.TrimSpace(s)))
	switch c {
	case ConfidenceHigh, ConfidenceMedium, ConfidenceLow:
		return c, true
	}
	return "", false
}

// NodeKind says which table a link end is in.
type NodeKind string

// Node kinds.
const (
	NodeEntity NodeKind = "entity"
	NodeOCG    NodeKind = "ocg"
)

// Link is a typed, dated edge between two nodes of the network.
type Link struct {
	ID         string
	FromKind   NodeKind
	FromID     string
	ToKind     NodeKind
	ToID       string
	Type       LinkType
	Role       MemberRole // for member_of only
	ValidFrom  *time.Time
	ValidTo    *time.Time
	SourceRef  string // the intelligence reference that supports it
	Confidence Confidence
	Note       string
	CreatedBy  string
	CreatedAt  time.Time
	// A membership that ended: why (ValidTo is when) and any note; and
	// when the link was last corrected or ended, nil if never.
	EndReason MemberEndReason
	EndNote   string
	UpdatedAt *time.Time

	// Filled by reads: the far end's name and reference.
	FromName, ToName string
}

// Current reports whether the link holds on day.
func (l Link) Current(day time.Time) bool {
	return (l.ValidFrom == nil || !l.ValidFrom.After(day)) && (l.ValidTo == nil || !l.ValidTo.Before(day))
}

// Ended reports whether the link is over on day: it was ended (an end
// reason is recorded, which needs an end date on or before the day it was
// recorded), or its end date is before day. An ended membership stays in
// the group's history as a former member and counts nowhere as current.
func (l Link) Ended(day time.Time) bool {
	return l.EndReason != "" || (l.ValidTo != nil && l.ValidTo.Before(day))
}

// Member is a person on a group with their role.
type Member struct {
	Link   Link
	Person Entity
}

// FourP is a strand of the 4P framework.
type FourP string

// The four Ps.
const (
	Pursue  FourP = "pursue"
	Prevent FourP = "prevent"
	Protect FourP = "protect"
	Prepare FourP = "prepare"
)

// FourPs lists the strands in order.
var FourPs = []FourP{Pursue, Prevent, Protect, Prepare}

// Label is the strand's name.
func (p FourP) Label() string {
	if p == "" {
		return ""
	}
	return strings.ToUpper(string(p[:1])) + string(p[1:])
}

// ParseFourP accepts a strand (any case).
func ParseFourP(s string) (FourP, bool) {
	p := FourP(strings.ToLower(strings.TrimSpace(s)))
	return p, slices.Contains(FourPs, p)
}

// PlanStatus is where a 4P plan is.
type PlanStatus string

// Plan statuses.
const (
	PlanDraft       PlanStatus = "draft"
	PlanActive      PlanStatus = "active"
	PlanUnderReview PlanStatus = "under_review"
	PlanClosed      PlanStatus = "closed"
)

// Plan is a group's 4P plan.
type Plan struct {
	ID         string
	OCGID      string
	Version    int
	Status     PlanStatus
	Objectives string
	ReviewDue  time.Time
	Actions    []PlanAction
	CreatedBy  string
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Overdue reports whether the plan's review date has passed on day.
func (p Plan) Overdue(day time.Time) bool { return p.ReviewDue.Before(day) }

// ActionStatus is where a plan action is.
type ActionStatus string

// Action statuses.
const (
	ActionNotStarted ActionStatus = "not_started"
	ActionInProgress ActionStatus = "in_progress"
	ActionDone       ActionStatus = "done"
	ActionCancelled  ActionStatus = "cancelled"
)

// ActionStatuses lists them in order.
var ActionStatuses = []ActionStatus{ActionNotStarted, ActionInProgress, ActionDone, ActionCancelled}

// Label is the status as people say it.
func (s ActionStatus) Label() string {
	switch s {
	case ActionNotStarted:
		return "Not started"
	case ActionInProgress:
		return "In progress"
	case ActionDone:
		return "Done"
	case ActionCancelled:
		return "Cancelled"
	}
	return string(s)
}

// PlanAction is one action under a strand, owned by an agency and a person.
type PlanAction struct {
	ID            string
	PlanID        string
	Strand        FourP
	Description   string
	OwnerAgencyID string
	OwnerName     string
	DueOn         time.Time
	Status        ActionStatus
	Outcome       string
	CreatedAt     time.Time
	UpdatedAt     time.Time

	OwnerAgencyName string
}

// Day formats t as an ISO day for storage, or nil.
func Day(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.Format("2006-01-02")
}

// FormatUK writes a day the UK way: 22 November 2026.
func FormatUK(t time.Time) string { return t.Format("2 January 2006") }

// ErrTransition is a step the group's status does not allow. It wraps
// ErrConflict.
func ErrTransition(from, to OCGStatus) error {
	return fmt.Errorf("a group that is %s cannot be moved to %s: %w", strings.ToLower(from.Label()), strings.ToLower(to.Label()), ErrConflict)
}
