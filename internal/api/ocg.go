package api

// The OCG register over the API: list, read and propose groups, take
// lifecycle steps, add members and read people. The register service
// applies the access policy (hidden records are 404) and writes the audit
// log; a read of a group or a person is logged with the request's purpose
// (the X-Alliance-Purpose header, else the token's) and refused without one.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
	"unicode/utf8"

	"alliance/internal/domain"
	"alliance/internal/router"
	"alliance/internal/service"
)

type markingJSON struct {
	Classification string `json:"classification"`
	Handling       string `json:"handling"`
	Conditions     string `json:"handling_conditions,omitempty"`
	Restricted     bool   `json:"restricted"`
	OriginAgency   string `json:"originating_agency,omitempty"`
}

type ocgJSON struct {
	ID            string      `json:"id"`
	Reference     string      `json:"reference"`
	Name          string      `json:"name"`
	OperationName string      `json:"operation_name,omitempty"`
	Summary       string      `json:"summary,omitempty"`
	Status        string      `json:"status"`
	StatusLabel   string      `json:"status_label"`
	Ownership     string      `json:"ownership"`
	PrimaryThreat string      `json:"primary_threat"`
	Threats       []string    `json:"threats,omitempty"`
	HomeArea      string      `json:"home_area,omitempty"`
	LeadAgency    string      `json:"lead_agency,omitempty"`
	LRO           *personRef  `json:"lro,omitempty"`
	SRO           *personRef  `json:"sro,omitempty"`
	Score         *float64    `json:"score"`
	Band          string      `json:"band,omitempty"`
	Priority      string      `json:"priority,omitempty"`
	ScoredOn      *string     `json:"scored_on,omitempty"`
	ReviewDue     *string     `json:"review_due,omitempty"`
	AdoptedOn     *string     `json:"adopted_on,omitempty"`
	ArchivedOn    *string     `json:"archived_on,omitempty"`
	ArchiveReason string      `json:"archive_reason,omitempty"`
	ArchiveWhy    string      `json:"archive_rationale,omitempty"`
	ArchiveBy     string      `json:"archive_decision,omitempty"`
	Marking       markingJSON `json:"marking"`
	CreatedAt     time.Time   `json:"created_at"`
	UpdatedAt     time.Time   `json:"updated_at"`
}

type personRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

func isoDay(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := t.Format("2006-01-02")
	return &s
}

func ocgToJSON(o domain.OCG) ocgJSON {
	j := ocgJSON{ID: o.ID, Reference: o.Reference, Name: o.Name, OperationName: o.OperationName, Summary: o.Summary, Status: string(o.Status),
		StatusLabel: o.Status.Label(), Ownership: string(o.Ownership), PrimaryThreat: o.PrimaryThreat, Threats: o.Threats, HomeArea: o.HomeUnitName,
		LeadAgency: o.LeadAgencyName, Score: o.Score, Band: o.Band, Priority: o.Priority, ScoredOn: isoDay(o.ScoredOn), ReviewDue: isoDay(o.ReviewDue),
		AdoptedOn: isoDay(o.AdoptedOn), ArchivedOn: isoDay(o.ArchivedOn), ArchiveReason: string(o.ArchiveReason), ArchiveWhy: o.ArchiveWhy, ArchiveBy: o.ArchiveBy,
		Marking:   markingJSON{string(o.Marking.Classification), string(o.Marking.Handling), o.HandlingNote, o.Marking.Restricted, o.OriginAgencyName},
		CreatedAt: o.CreatedAt, UpdatedAt: o.UpdatedAt}
	if o.LROUserID != "" {
		j.LRO = &personRef{o.LROUserID, o.LROName}
	}
	if o.SROUserID != "" {
		j.SRO = &personRef{o.SROUserID, o.SROName}
	}
	return j
}

type entityJSON struct {
	ID         string      `json:"id"`
	Reference  string      `json:"reference"`
	Kind       string      `json:"kind"`
	Name       string      `json:"name"`
	Identifier string      `json:"identifier,omitempty"`
	DOB        *string     `json:"dob,omitempty"`
	Gender     string      `json:"gender,omitempty"`
	Detail     string      `json:"detail,omitempty"`
	Aliases    []string    `json:"aliases,omitempty"`
	Nicknames  []string    `json:"nicknames,omitempty"`
	Flags      []string    `json:"flags,omitempty"`
	Marking    markingJSON `json:"marking"`
	CreatedAt  time.Time   `json:"created_at"`
}

func entityToJSON(e domain.Entity) entityJSON {
	return entityJSON{ID: e.ID, Reference: e.Reference, Kind: string(e.Kind), Name: e.Name, Identifier: e.Identifier, DOB: isoDay(e.DOB), Gender: e.Gender,
		Detail: e.Detail, Aliases: e.Aliases, Nicknames: e.Nicknames, Flags: e.Flags,
		Marking:   markingJSON{Classification: string(e.Marking.Classification), Handling: string(e.Marking.Handling), Restricted: e.Marking.Restricted, OriginAgency: e.OriginAgencyName},
		CreatedAt: e.CreatedAt}
}

type linkJSON struct {
	ID         string  `json:"id"`
	Type       string  `json:"type"`
	Role       string  `json:"role,omitempty"`
	FromKind   string  `json:"from_kind"`
	FromID     string  `json:"from_id"`
	FromName   string  `json:"from_name,omitempty"`
	ToKind     string  `json:"to_kind"`
	ToID       string  `json:"to_id"`
	ToName     string  `json:"to_name,omitempty"`
	ValidFrom  *string `json:"valid_from,omitempty"`
	ValidTo    *string `json:"valid_to,omitempty"`
	SourceRef  string  `json:"source_ref"`
	Confidence string  `json:"confidence"`
	Note       string  `json:"note,omitempty"`
	// A membership that was ended: why (valid_to is when) and the note.
	EndReason string `json:"end_reason,omitempty"`
	EndNote   string `json:"end_note,omitempty"`
}

func linkToJSON(l domain.Link) linkJSON {
	return linkJSON{l.ID, string(l.Type), string(l.Role), string(l.FromKind), l.FromID, l.FromName, string(l.ToKind), l.ToID, l.ToName,
		isoDay(l.ValidFrom), isoDay(l.ValidTo), l.SourceRef, string(l.Confidence), l.Note, string(l.EndReason), l.EndNote}
}

type memberJSON struct {
	Person entityJSON `json:"person"`
	Link   linkJSON   `json:"link"`
}

type actionJSON struct {
	ID          string `json:"id"`
	Strand      string `json:"strand"`
	Description string `json:"description"`
	OwnerAgency string `json:"owner_agency"`
	OwnerName   string `json:"owner_name"`
	DueOn       string `json:"due_on"`
	Status      string `json:"status"`
	Outcome     string `json:"outcome,omitempty"`
}

type planJSON struct {
	Version    int          `json:"version"`
	Status     string       `json:"status"`
	Objectives string       `json:"objectives"`
	ReviewDue  string       `json:"review_due"`
	Actions    []actionJSON `json:"actions"`
}

type transitionJSON struct {
	From      string    `json:"from,omitempty"`
	To        string    `json:"to"`
	DecidedOn string    `json:"decided_on"`
	Decision  string    `json:"decision,omitempty"`
	Note      string    `json:"note,omitempty"`
	By        string    `json:"by"`
	At        time.Time `json:"at"`
}

type groupJSON struct {
	ocgJSON
	Members []memberJSON     `json:"members"`
	Links   []linkJSON       `json:"links"`
	Plan    *planJSON        `json:"plan"`
	History []transitionJSON `json:"history"`
}

func groupToJSON(v service.GroupView) groupJSON {
	g := groupJSON{ocgJSON: ocgToJSON(v.OCG), Members: []memberJSON{}, Links: []linkJSON{}, History: []transitionJSON{}}
	for _, m := range v.Members {
		g.Members = append(g.Members, memberJSON{entityToJSON(m.Person), linkToJSON(m.Link)})
	}
	for _, l := range v.Links {
		if l.Type != domain.LinkMemberOf {
			g.Links = append(g.Links, linkToJSON(l))
		}
	}
	if p := v.Plan; p != nil {
		pj := &planJSON{Version: p.Version, Status: string(p.Status), Objectives: p.Objectives, ReviewDue: p.ReviewDue.Format("2006-01-02"), Actions: []actionJSON{}}
		for _, a := range p.Actions {
			pj.Actions = append(pj.Actions, actionJSON{a.ID, string(a.Strand), a.Description, a.OwnerAgencyName, a.OwnerName, a.DueOn.Format("2006-01-02"),
				string(a.Status), a.Outcome})
		}
		g.Plan = pj
	}
	for _, t := range v.Transitions {
		g.History = append(g.History, transitionJSON{string(t.From), string(t.To), t.DecidedOn.Format("2006-01-02"), t.Decision, t.Note, t.ActorName, t.At})
	}
	return g
}

// decodeBody reads a JSON object into v, refusing unknown fields.
// A string in it that is not domain.StorableText (a NUL, written \u0000,
// or text that is not UTF-8) is refused, naming the body, before anything
// reaches the database.
func decodeBody(w http.ResponseWriter, r *http.Request, v any, what string) error {
	raw, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
	verr := &domain.ValidationError{}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return fmt.Errorf("request body: %w", err) // 413
	}
	if err != nil {
		return fmt.Errorf("read request body: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		switch {
		case errors.Is(err, io.EOF):
			verr.Add("body", "send a JSON object")
		default:
			verr.Add("body", "the request body is not valid JSON for %s: %s", what, err.Error())
		}
		return verr
	}
	if !utf8.Valid(raw) || !storableStrings(raw) {
		verr.Add("body", "a string in the request body %s", domain.MsgUnstorableText)
		return verr
	}
	return nil
}

// storableStrings reports whether every string (name or value) in the
// JSON text raw, already decoded once, is domain.StorableText once
// unescaped.
func storableStrings(raw []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(raw))
	for {
		tok, err := dec.Token()
		if err != nil {
			return true // io.EOF: the end; anything else the decode reported
		}
		if s, ok := tok.(string); ok && !domain.StorableText(s) {
			return false
		}
	}
}

func (a *API) listOCGs(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	verr := &domain.ValidationError{}
	page, per := pageParams(q, verr)
	status := q.Get("status")
	if _, ok := domain.ParseOCGStatus(status); !ok && status != "" && status != "all" && status != "active" {
		verr.Add("status", "status must be active, all or a lifecycle state: proposed, under_assessment, mapped, adopted, managed or archived")
	}
	sort := q.Get("sort")
	if sort != "" && sort != "score" && sort != "name" {
		verr.Add("sort", "sort must be score or name")
	}
	if err := verr.Err(); err != nil {
		return err
	}
	res, err := a.register.Groups(r.Context(), router.ActorFrom(r.Context()),
		service.GroupFilter{Status: status, Threat: q.Get("threat"), Text: q.Get("q"), Sort: sort}, page, per)
	if err != nil {
		return err
	}
	items := make([]ocgJSON, len(res.Items))
	for i, o := range res.Items {
		items[i] = ocgToJSON(o)
	}
	w.Header().Set("X-Protective-Marking", string(domain.OfficialSensitive))
	return writeJSON(w, http.StatusOK, map[string]any{"items": items, "total": res.Total, "page": res.Page, "pages": res.Pages,
		"marking": domain.OfficialSensitive})
}

func (a *API) getOCG(w http.ResponseWriter, r *http.Request) error {
	v, err := a.register.Group(r.Context(), router.ActorFrom(r.Context()), r.PathValue("id"))
	if err != nil {
		return err
	}
	marks := []domain.Classification{v.OCG.Marking.Classification}
	for _, m := range v.Members {
		marks = append(marks, m.Person.Marking.Classification)
	}
	w.Header().Set("X-Protective-Marking", string(responseMarking(marks, len(v.Links) > 0)))
	return writeJSON(w, http.StatusOK, groupToJSON(v))
}

// responseMarking is the protective marking of a response that shows
// records with the given classifications and, when links is true, names
// records at the far end of links whose own marking it does not carry:
// the highest of them, and OFFICIAL-SENSITIVE whenever links are shown.
func responseMarking(marks []domain.Classification, links bool) domain.Classification {
	if links {
		return domain.OfficialSensitive
	}
	for _, m := range marks {
		if m != domain.Official {
			return domain.OfficialSensitive
		}
	}
	return domain.Official
}

type markingBody struct {
	Classification     string   `json:"classification"`
	Handling           string   `json:"handling"`
	HandlingConditions string   `json:"handling_conditions"`
	ConditionAgencies  []string `json:"condition_agencies"`
	ConditionTypes     []string `json:"condition_types"`
	Restricted         bool     `json:"restricted"`
	NamedAgencies      []string `json:"named_agencies"`
	NamedUsers         []string `json:"named_users"`
}

func (m markingBody) input() domain.MarkingInput {
	return domain.MarkingInput{Classification: m.Classification, Handling: m.Handling, HandlingNote: m.HandlingConditions,
		ConditionAgencies: m.ConditionAgencies, ConditionTypes: m.ConditionTypes, Restricted: m.Restricted, NamedAgencies: m.NamedAgencies, NamedUsers: m.NamedUsers}
}

type ocgBody struct {
	Name          string   `json:"name"`
	OperationName string   `json:"operation_name"`
	Summary       string   `json:"summary"`
	Ownership     string   `json:"ownership"`
	PrimaryThreat string   `json:"primary_threat"`
	Threats       []string `json:"threats"`
	HomeArea      string   `json:"home_area"` // ONS code
	Areas         []string `json:"areas"`     // ONS codes
	LeadAgencyID  string   `json:"lead_agency_id"`
	ProposedOn    string   `json:"proposed_on"` // UK date
	markingBody
}

func (a *API) createOCG(w http.ResponseWriter, r *http.Request) error {
	var b ocgBody
	if err := decodeBody(w, r, &b, "a group"); err != nil {
		return err
	}
	p, err := a.partnershipFor(r.Context())
	if err != nil {
		return err
	}
	// Areas are named by their ONS codes here, as in /api/v1/areas.
	units, err := a.svc.Areas(r.Context(), p, "")
	if err != nil {
		return err
	}
	byCode := make(map[string]string, len(units))
	for _, u := range units {
		byCode[u.Code] = u.ID
	}
	verr := &domain.ValidationError{}
	in := domain.OCGInput{Name: b.Name, OperationName: b.OperationName, Summary: b.Summary, Ownership: b.Ownership, PrimaryThreat: b.PrimaryThreat,
		Threats: b.Threats, LeadAgencyID: b.LeadAgencyID, ProposedOn: b.ProposedOn, Marking: b.input()}
	if b.HomeArea != "" {
		if in.HomeUnitID = byCode[b.HomeArea]; in.HomeUnitID == "" {
			verr.Add("home_area", "home_area must be the ONS code of an area of this partnership")
		}
	}
	for _, c := range b.Areas {
		id := byCode[c]
		if id == "" {
			verr.Add("areas", "areas must be ONS codes of areas of this partnership")
			break
		}
		in.AreaIDs = append(in.AreaIDs, id)
	}
	if err := verr.Err(); err != nil {
		return err
	}
	actor := router.ActorFrom(r.Context())
	o, err := a.register.Propose(r.Context(), actor, in)
	if err != nil {
		return err
	}
	o.OriginAgencyName = actor.AgencyName
	w.Header().Set("Location", "/api/v1/ocgs/"+o.ID)
	return writeJSON(w, http.StatusCreated, ocgToJSON(o))
}

type transitionBody struct {
	To            string `json:"to"`
	DecidedOn     string `json:"decided_on"`
	Decision      string `json:"decision"`
	Note          string `json:"note"`
	LROUserID     string `json:"lro_user_id"`
	SROUserID     string `json:"sro_user_id"`
	ReviewDue     string `json:"review_due"`
	ArchiveReason string `json:"archive_reason"`
	Rationale     string `json:"rationale"`
}

func (a *API) createTransition(w http.ResponseWriter, r *http.Request) error {
	var b transitionBody
	if err := decodeBody(w, r, &b, "a lifecycle step"); err != nil {
		return err
	}
	to, ok := domain.ParseOCGStatus(b.To)
	if !ok {
		verr := &domain.ValidationError{}
		verr.Add("to", "to must be a lifecycle state: under_assessment, mapped, adopted, managed or archived")
		return verr
	}
	o, err := a.register.Transition(r.Context(), router.ActorFrom(r.Context()), r.PathValue("id"), domain.TransitionInput{To: to, DecidedOn: b.DecidedOn,
		Decision: b.Decision, Note: b.Note, LROUserID: b.LROUserID, SROUserID: b.SROUserID, ReviewDue: b.ReviewDue, ArchiveReason: b.ArchiveReason, Rationale: b.Rationale})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, ocgToJSON(o))
}

type personBody struct {
	Kind       string       `json:"kind"`
	Name       string       `json:"name"`
	Aliases    []string     `json:"aliases"`
	Nicknames  []string     `json:"nicknames"`
	DOB        string       `json:"dob"` // UK date
	Gender     string       `json:"gender"`
	Identifier string       `json:"identifier"`
	Detail     string       `json:"detail"`
	Flags      []string     `json:"flags"`
	Marking    *markingBody `json:"marking"`
}

type memberBody struct {
	PersonID   string      `json:"person_id"`
	Person     *personBody `json:"person"`
	Role       string      `json:"role"`
	From       string      `json:"from"` // UK date
	SourceRef  string      `json:"source_ref"`
	Confidence string      `json:"confidence"`
}

func (a *API) createMember(w http.ResponseWriter, r *http.Request) error {
	var b memberBody
	if err := decodeBody(w, r, &b, "a member"); err != nil {
		return err
	}
	if (b.PersonID == "") == (b.Person == nil) {
		verr := &domain.ValidationError{}
		verr.Add("person_id", "send either person_id (a person already recorded) or person (a new person)")
		return verr
	}
	in := service.MemberInput{PersonID: b.PersonID, Role: b.Role, From: b.From, SourceRef: b.SourceRef, Confidence: b.Confidence}
	if p := b.Person; p != nil {
		in.Person = service.PersonInput{Kind: p.Kind, Name: p.Name, Aliases: p.Aliases, Nicknames: p.Nicknames, DOB: p.DOB, Gender: p.Gender,
			Identifier: p.Identifier, Detail: p.Detail, Flags: p.Flags}
		if p.Marking != nil {
			in.Person.Marking = p.Marking.input()
		}
	}
	m, err := a.register.AddMember(r.Context(), router.ActorFrom(r.Context()), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	m.Person.OriginAgencyName = router.ActorFrom(r.Context()).AgencyName
	return writeJSON(w, http.StatusCreated, memberJSON{entityToJSON(m.Person), linkToJSON(m.Link)})
}

// memberEndBody ends a membership, or corrects the end of one that has
// ended.
type memberEndBody struct {
	EndedOn   string `json:"ended_on"` // UK date
	EndReason string `json:"end_reason"`
	EndNote   string `json:"end_note"`
}

func (b memberEndBody) input() service.MemberEndInput {
	return service.MemberEndInput{On: b.EndedOn, Reason: b.EndReason, Note: b.EndNote}
}

// memberEditBody corrects a membership: every field is sent, as on the
// web form.
type memberEditBody struct {
	Role       string `json:"role"`
	From       string `json:"from"` // UK date, optional
	SourceRef  string `json:"source_ref"`
	Confidence string `json:"confidence"`
	Note       string `json:"note"`
	memberEndBody
}

func (a *API) updateMember(w http.ResponseWriter, r *http.Request) error {
	var b memberEditBody
	if err := decodeBody(w, r, &b, "a membership"); err != nil {
		return err
	}
	in := service.MemberEditInput{Role: b.Role, From: b.From, SourceRef: b.SourceRef, Confidence: b.Confidence, Note: b.Note, End: b.input()}
	m, err := a.register.EditMember(r.Context(), router.ActorFrom(r.Context()), r.PathValue("id"), r.PathValue("link"), in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, memberJSON{entityToJSON(m.Person), linkToJSON(m.Link)})
}

func (a *API) endMember(w http.ResponseWriter, r *http.Request) error {
	var b memberEndBody
	if err := decodeBody(w, r, &b, "the end of a membership"); err != nil {
		return err
	}
	m, err := a.register.EndMember(r.Context(), router.ActorFrom(r.Context()), r.PathValue("id"), r.PathValue("link"), b.input())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, memberJSON{entityToJSON(m.Person), linkToJSON(m.Link)})
}

func (a *API) getPerson(w http.ResponseWriter, r *http.Request) error {
	v, err := a.register.Entity(r.Context(), router.ActorFrom(r.Context()), r.PathValue("id"))
	if err != nil {
		return err
	}
	links := make([]linkJSON, len(v.Links))
	for i, l := range v.Links {
		links[i] = linkToJSON(l)
	}
	w.Header().Set("X-Protective-Marking", string(responseMarking([]domain.Classification{v.Entity.Marking.Classification}, len(v.Links) > 0)))
	return writeJSON(w, http.StatusOK, map[string]any{"entity": entityToJSON(v.Entity), "links": links})
}
