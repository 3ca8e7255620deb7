package web

import (
	"net/http"

	"alliance/internal/domain"
	"alliance/internal/web/view"
)

func (h *Web) agencies(w http.ResponseWriter, r *http.Request) error {
	p, err := h.currentPartnership(r.Context())
	if err != nil {
		return err
	}
	list, err := h.svc.Agencies(r.Context(), p)
	if err != nil {
		return err
	}
	page := h.newPage(r, "Partner agencies", "/agencies")
	page.Partnership = &p
	page.Data = list
	return h.render(w, r, http.StatusOK, "agencies", page)
}

type districtRow struct {
	Unit  domain.OrgUnit
	Wards int
}

type areasData struct {
	Roots     []domain.OrgUnit // region and force
	Districts []districtRow
}

func (h *Web) areas(w http.ResponseWriter, r *http.Request) error {
	p, err := h.currentPartnership(r.Context())
	if err != nil {
		return err
	}
	all, err := h.svc.Areas(r.Context(), p, "")
	if err != nil {
		return err
	}
	var d areasData
	idx := map[string]int{}
	for _, u := range all {
		switch u.Level {
		case domain.LevelRegion, domain.LevelForce:
			d.Roots = append(d.Roots, u)
		case domain.LevelDistrict:
			idx[u.ID] = len(d.Districts)
			d.Districts = append(d.Districts, districtRow{Unit: u})
		case domain.LevelWard:
			if i, ok := idx[u.ParentID]; ok {
				d.Districts[i].Wards++
			}
		}
	}
	page := h.newPage(r, "Reporting structure", "/areas")
	page.Partnership = &p
	page.Data = d
	return h.render(w, r, http.StatusOK, "areas", page)
}

func (h *Web) area(w http.ResponseWriter, r *http.Request) error {
	p, err := h.currentPartnership(r.Context())
	if err != nil {
		return err
	}
	d, err := h.svc.Area(r.Context(), p, r.PathValue("code"))
	if err != nil {
		return err
	}
	page := h.newPage(r, d.Unit.Name, "/areas")
	page.Partnership = &p
	page.Breadcrumbs = []view.Crumb{{Label: "Home", Href: "/"}, {Label: "Areas", Href: "/areas"}}
	page.Data = d
	return h.render(w, r, http.StatusOK, "area", page)
}

type aboutData struct{ Version string }

func (h *Web) about(w http.ResponseWriter, r *http.Request) error {
	page := h.newPage(r, "About Alliance", "")
	page.Data = aboutData{Version: h.version}
	return h.render(w, r, http.StatusOK, "about", page)
}
