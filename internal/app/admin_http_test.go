package app_test

import (
	"net/url"
	"regexp"
	"testing"

	"alliance/internal/service"
	"alliance/internal/store/storetest"
)

var resetLink = regexp.MustCompile(`/reset-password/[A-Za-z0-9_-]+`)
var userLink = regexp.MustCompile(`/admin/users/([0-9a-f-]{36})`)

// TestAdministratorJourney: add a user, give them a reset link they use
// once, change their roles (ending their sessions), deactivate them.
func TestAdministratorJourney(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			a := newApp(t, e, nil)
			h := a.Handler()
			admin := signIn(t, a, "admin@nyp.example")
			agencies, err := a.Store().Agencies(t.Context(), mustActor(t, a, admin).PartnershipID)
			if err != nil {
				t.Fatal(err)
			}
			form := url.Values{"name": {"Robin Officer"}, "email": {"robin.officer@nyc.example"}, "agency": {agencies[3].ID},
				"roles": {"partner_officer"}, "service_account": {"no"}}
			scenario{name: "bad user", method: "POST", path: "/admin/users", cookie: admin, body: "email=nope&name=", wantStatus: 422,
				wantContains: []string{"Enter an email address in the correct format", "Choose the person", "Choose at least one role"}}.run(t, h)
			rec := scenario{name: "add user", method: "POST", path: "/admin/users", cookie: admin, body: form.Encode(), wantStatus: 303}.run(t, h)
			m := userLink.FindStringSubmatch(rec.Header().Get("Location"))
			if m == nil {
				t.Fatalf("got Location %q, want the new user's page", rec.Header().Get("Location"))
			}
			page := "/admin/users/" + m[1]
			scenario{name: "duplicate", method: "POST", path: "/admin/users", cookie: admin, body: form.Encode(), wantStatus: 422,
				wantContains: []string{"already a user with this email"}}.run(t, h)

			rec = scenario{name: "reset link", method: "POST", path: page + "/reset-link", cookie: admin, wantStatus: 200, wantContains: []string{"Password reset link"}}.run(t, h)
			link := resetLink.FindString(rec.Body.String())
			if link == "" {
				t.Fatal("got no reset link on the page")
			}
			scenario{name: "reset page", path: link, wantStatus: 200, wantContains: []string{"robin.officer@nyc.example", "Set your password"}}.run(t, h)
			scenario{name: "common password refused", method: "POST", path: link, body: "password=password1234&confirm=password1234", wantStatus: 422,
				wantContains: []string{"most common passwords"}}.run(t, h)
			good := url.Values{"password": {"seven silver kettles humming"}, "confirm": {"seven silver kettles humming"}}
			scenario{name: "set password", method: "POST", path: link, body: good.Encode(), wantStatus: 303}.run(t, h)
			scenario{name: "link works once", path: link, wantStatus: 404}.run(t, h)

			res, err := a.Identity().SignIn(t.Context(), "robin.officer@nyc.example", "seven silver kettles humming", service.Client{Addr: "127.0.0.1"})
			if err != nil || !res.NeedsEnrolment {
				t.Fatalf("new user's first sign-in: got %+v, %v; want a second factor to set up", res, err)
			}
			officer := signIn(t, a, "officer@nyc.example")
			uid := mustActor(t, a, officer).UserID
			scenario{name: "officer signed in", path: "/account", cookie: officer, wantStatus: 200}.run(t, h)
			scenario{name: "change roles", method: "POST", path: "/admin/users/" + uid + "/roles", cookie: admin, body: "roles=referral_coordinator", wantStatus: 303}.run(t, h)
			scenario{name: "roles change ended the session", path: "/account", cookie: officer, wantStatus: 303}.run(t, h)
			officer = signIn(t, a, "officer@nyc.example")
			scenario{name: "deactivate", method: "POST", path: "/admin/users/" + uid + "/deactivate", cookie: admin, wantStatus: 303}.run(t, h)
			scenario{name: "deactivation ended the session", path: "/account", cookie: officer, wantStatus: 303}.run(t, h)
			scenario{name: "cannot deactivate yourself", method: "POST", path: "/admin/users/" + mustActor(t, a, admin).UserID + "/deactivate", cookie: admin, wantStatus: 422,
				wantContains: []string{"You cannot deactivate yourself"}}.run(t, h)
			_, _ = a.Identity().SignIn(t.Context(), "board@nyp.example", "not the right one", service.Client{Addr: "127.0.0.1"})
			scenario{name: "history shows sign-ins", path: "/admin/sign-ins", cookie: admin, wantStatus: 200, wantContains: []string{"signed in", "wrong password"}}.run(t, h)
		})
	}
}
