package web

import (
	"context"
	"net/http"
	"time"

	"alliance/internal/domain"
	"alliance/internal/router"
	"alliance/internal/service"
	"alliance/internal/web/view"
)

type isaRow struct {
	domain.ISA
	Effective     string
	ReviewOverdue bool
	RegimeName    string
}

type sharingData struct {
	Rows    []isaRow
	IsAdmin bool
}

func rowOf(i domain.ISA, now time.Time) isaRow {
	return isaRow{ISA: i, Effective: i.EffectiveStatus(now), ReviewOverdue: i.ReviewOverdue(now), RegimeName: domain.Regimes[i.Regime]}
}

func (h *Web) sharingList(w http.ResponseWriter, r *http.Request) error {
	a := router.ActorFrom(r.Context())
	list, err := h.sharing.List(r.Context(), a)
	if err != nil {
		return err
	}
	now := h.sharing.Now()
	d := sharingData{IsAdmin: a.Has(domain.RoleAdministrator)}
	for _, i := range list {
		d.Rows = append(d.Rows, rowOf(i, now))
	}
	p := h.newPage(r, "Information sharing agreements", "/sharing")
	p.Data = d
	return h.render(w, r, http.StatusOK, "sharing", p)
}

type isaFormData struct {
	Form     *Form
	Agencies []domain.Agency
}

func (h *Web) isaFormPage(w http.ResponseWriter, r *http.Request, status int, f *Form) error {
	ags, err := h.admin.Agencies(r.Context(), router.ActorFrom(r.Context()))
	if err != nil {
		return err
	}
	p := h.newPage(r, "Add a sharing agreement", "/sharing")
	p.Breadcrumbs = []view.Crumb{{Label: "Sharing agreements", Href: "/sharing"}}
	p.Errors = f.Summary()
	p.Data = isaFormData{Form: f, Agencies: ags}
	return h.render(w, r, status, "isa_new", p)
}

func (h *Web) isaNew(w http.ResponseWriter, r *http.Request) error {
	return h.isaFormPage(w, r, http.StatusOK, NewForm(nil))
}

func (h *Web) isaCreate(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	f := NewForm(r.PostForm)
	_, err := h.sharing.Create(r.Context(), router.ActorFrom(r.Context()), service.ISAInput{Reference: f.Get("reference"), Title: f.Get("title"),
		Purposes: f.Get("purposes"), DataCategories: f.Get("data_categories"), Gateways: f.Get("gateways"), Regime: f.Get("regime"),
		StartsOn: f.Get("starts_on"), EndsOn: f.Get("ends_on"), ReviewOn: f.Get("review_on"), Parties: f.Values["parties"]})
	if f.FailAll(err) {
		return h.isaFormPage(w, r, http.StatusUnprocessableEntity, f)
	}
	if err != nil {
		return err
	}
	seeOther(w, r, "/sharing")
	return nil
}

func (h *Web) isaStatus(w http.ResponseWriter, r *http.Request) error {
	if err := parseForm(w, r); err != nil {
		return err
	}
	if err := h.sharing.SetStatus(r.Context(), router.ActorFrom(r.Context()), r.PathValue("id"), r.PostForm.Get("status")); err != nil {
		return err
	}
	seeOther(w, r, "/sharing")
	return nil
}

// disclosureForm is what the "disclosureFields" component shows: the
// form, the agreements an export may rely on, and whether there are none.
type disclosureForm struct {
	Form    *Form
	Options []Option
	None    bool
}

// disclosureFormFor lists what an export by a may rely on: the agreements
// in force that a's agency is party to, then an approved ad hoc disclosure.
// Every export form asks it the same way.
func (h *Web) disclosureFormFor(ctx context.Context, a domain.Actor, f *Form) (disclosureForm, error) {
	isas, err := h.sharing.UsableBy(ctx, a)
	if err != nil {
		return disclosureForm{}, err
	}
	opts := make([]Option, 0, len(isas)+1)
	for _, i := range isas {
		opts = append(opts, Option{Value: i.ID, Label: i.Reference + ": " + i.Title})
	}
	opts = append(opts, Option{Value: "adhoc", Label: "No agreement covers this: an approved ad hoc disclosure"})
	return disclosureForm{Form: f, Options: opts, None: len(isas) == 0}, nil
}

// disclosureOf reads the disclosure fields of an export form.
func disclosureOf(f *Form) service.Disclosure {
	isa, adhoc := f.Get("isa"), false
	if isa == "adhoc" {
		isa, adhoc = "", true
	}
	return service.Disclosure{Purpose: f.Get("purpose"), Recipients: f.Get("recipients"), ISAID: isa, AdHoc: adhoc,
		Justification: f.Get("justification"), ApproverEmail: f.Get("approver")}
}
