package app_test

import (
	"testing"

	"alliance/internal/store/storetest"
)

// TestOCGListFlagsHTTP checks that the register list flags a review that is
// overdue and a managed group without a lead responsible officer, and says
// why the cells of groups not yet adopted are empty.
func TestOCGListFlagsHTTP(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			a := newApp(t, e, nil)
			h := a.Handler()
			var overdue, noLRO int
			st := a.Store()
			if err := st.Reader().QueryRow(`SELECT count(*) FROM ocg WHERE status IN ('adopted', 'managed') AND review_due < $1`,
				st.Now().Format("2006-01-02")).Scan(&overdue); err != nil {
				t.Fatal(err)
			}
			if err := st.Reader().QueryRow(`SELECT count(*) FROM ocg WHERE status IN ('adopted', 'managed') AND lro_user_id IS NULL`).Scan(&noLRO); err != nil {
				t.Fatal(err)
			}
			if overdue == 0 || noLRO == 0 {
				t.Fatalf("the demo has %d overdue reviews and %d managed groups without an LRO: the test needs one of each", overdue, noLRO)
			}
			analyst := signIn(t, a, "analyst@nyp.example")
			scenario{name: "the list", path: "/ocgs?status=&sort=", cookie: analyst, wantStatus: 200,
				wantContains: []string{`<strong class="govuk-tag govuk-tag--red">Overdue</strong>`, `<strong class="govuk-tag govuk-tag--orange">No LRO</strong>`,
					"None: not needed until adopted", `class="govuk-grid-column-one-half"`}}.run(t, h)
		})
	}
}
