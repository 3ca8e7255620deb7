package web

// Correcting and ending a group's memberships: two GOV.UK forms. The
// service decides who may (the group's analysts, LRO or SRO) and what is
// valid; a group or person the viewer may not see is not found.

import (
	"net/http"
	"net/url"
	"slices"

	"alliance/internal/domain"
	"alliance/internal/router"
	"alliance/internal/service"
	"alliance/internal/web/view"
)

type membershipFormData struct {
	OCG     domain.OCG
	Member  domain.Member
	Form    *Form
	Ended   bool // the membership has ended: its end can be corrected too
	Reasons []Option
}

// groupMember opens the group (asking for a purpose first where needed,
// and logging the consultation as the group page does) and finds one of
// its memberships; handled is true when a purpose page was written
// instead. A membership that is not among the members the viewer may see
// is not found; a viewer who may not keep the group's members is refused.
func (h *Web) groupMember(w http.ResponseWriter, r *http.Request) (service.GroupView, domain.Member, bool, error) {
	v, handled, err := h.group(w, r)
	if handled || err != nil {
		return v, domain.Member{}, handled, err
	}
	id := r.PathValue("link")
	i := slices.IndexFunc(v.Members, func(m domain.Member) bool { return m.Link.ID == id })
	if i < 0 {
		return v, domain.Member{}, false, domain.NotFound("membership", id)
	}
	if !v.CanPlan {
		return v, domain.Member{}, false, domain.ErrForbidden
	}
	return v, v.Members[i], false, nil
}

func (h *Web) membershipPage(w http.ResponseWriter, r *http.Request, status int, page string, v service.GroupView, m domain.Member, f *Form) error {
	title := "Correct a membership: "
	if page == "ocg_member_end" {
		title = "End a membership: "
	}
	p := h.newPage(r, title+m.Person.Reference+" in "+v.OCG.Reference, "/ocgs")
	p.Breadcrumbs = []view.Crumb{{Label: "Home", Href: "/"}, {Label: "Groups", Href: "/ocgs"}, {Label: v.OCG.Reference, Href: "/ocgs/" + v.OCG.ID}}
	p.Errors = f.Summary()
	d := membershipFormData{OCG: v.OCG, Member: m, Form: f, Ended: m.Link.EndReason != ""}
	for _, reason := range domain.MemberEndReasons {
		d.Reasons = append(d.Reasons, Option{Value: string(reason), Label: reason.Label()})
	}
	p.Data = d
	return h.render(w, r, status, page, p)
}

// memberEndValues fills a form with a membership's end.
func memberEndValues(l domain.Link, vals url.Values) url.Values {
	vals.Set("ended_on", inputDay(l.ValidTo))
	vals.Set("end_reason", string(l.EndReason))
	vals.Set("end_note", l.EndNote)
	return vals
}

func (h *Web) ocgMemberEdit(w http.ResponseWriter, r *http.Request) error {
	v, m, handled, err := h.groupMember(w, r)
	if handled || err != nil {
		return err
	}
	l := m.Link
	vals := url.Values{"role": {string(l.Role)}, "from": {inputDay(l.ValidFrom)}, "source_ref": {l.SourceRef},
		"confidence": {string(l.Confidence)}, "note": {l.Note}}
	return h.membershipPage(w, r, http.StatusOK, "ocg_member_edit", v, m, NewForm(memberEndValues(l, vals)))
}

func (h *Web) ocgMemberUpdate(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	f := NewForm(r.PostForm)
	ctx := r.Context()
	id := r.PathValue("id")
	in := service.MemberEditInput{Role: f.Get("role"), From: f.Get("from"), SourceRef: f.Get("source_ref"), Confidence: f.Get("confidence"),
		Note: f.Get("note"), End: service.MemberEndInput{On: f.Get("ended_on"), Reason: f.Get("end_reason"), Note: f.Get("end_note")}}
	_, err := h.register.EditMember(ctx, router.ActorFrom(ctx), id, r.PathValue("link"), in)
	if f.FailAll(err) {
		v, m, handled, gerr := h.groupMember(w, r)
		if handled || gerr != nil {
			return gerr
		}
		return h.membershipPage(w, r, http.StatusUnprocessableEntity, "ocg_member_edit", v, m, f)
	}
	if err != nil {
		return err
	}
	seeOther(w, r, "/ocgs/"+id+"#members")
	return nil
}

func (h *Web) ocgMemberEndForm(w http.ResponseWriter, r *http.Request) error {
	v, m, handled, err := h.groupMember(w, r)
	if handled || err != nil {
		return err
	}
	if m.Link.EndReason != "" {
		// Already ended: its end is corrected on the edit form.
		seeOther(w, r, "/ocgs/"+v.OCG.ID+"/members/"+m.Link.ID+"/edit")
		return nil
	}
	return h.membershipPage(w, r, http.StatusOK, "ocg_member_end", v, m, NewForm(nil))
}

func (h *Web) ocgMemberEnd(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	f := NewForm(r.PostForm)
	ctx := r.Context()
	id := r.PathValue("id")
	in := service.MemberEndInput{On: f.Get("ended_on"), Reason: f.Get("end_reason"), Note: f.Get("end_note")}
	_, err := h.register.EndMember(ctx, router.ActorFrom(ctx), id, r.PathValue("link"), in)
	if f.FailAll(err) {
		v, m, handled, gerr := h.groupMember(w, r)
		if handled || gerr != nil {
			return gerr
		}
		return h.membershipPage(w, r, http.StatusUnprocessableEntity, "ocg_member_end", v, m, f)
	}
	if err != nil {
		return err
	}
	seeOther(w, r, "/ocgs/"+id+"#former-members")
	return nil
}
