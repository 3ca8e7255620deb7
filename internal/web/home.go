package web

import (
	"net/http"
	"strings"

	"alliance/internal/router"
	"alliance/internal/service"
)

// homeData is what the home page shows: the work of each role the user
// holds, then the partnership at a glance.
type homeData struct {
	service.Glance
	Home  service.Home
	Name  string
	Roles string
	Cards []card
}

// home is each user's home page: what their roles have in front of them.
func (h *Web) home(w http.ResponseWriter, r *http.Request) error {
	a := router.ActorFrom(r.Context())
	p, err := h.currentPartnership(r.Context())
	if err != nil {
		return err
	}
	g, err := h.svc.AtAGlance(r.Context(), p)
	if err != nil {
		return err
	}
	home, err := h.homes.Home(r.Context(), a)
	if err != nil {
		return err
	}
	d := homeData{Glance: g, Home: home, Name: a.DisplayName}
	var roles []string
	for _, role := range a.Roles {
		roles = append(roles, roleName(role))
	}
	d.Roles = strings.Join(roles, ", ")
	if home.Board != nil && home.Board.Performance.FY != 0 {
		d.Cards = performanceCards(home.Board.Performance)
	}
	page := h.newPage(r, "Home", "/")
	page.Partnership = &p
	page.Data = d
	return h.render(w, r, http.StatusOK, "home", page)
}
