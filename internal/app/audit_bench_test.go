package app_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sort"
	"testing"
	"time"

	"alliance/internal/authz"
	"alliance/internal/service"
	"alliance/internal/store/storetest"
	"alliance/internal/web"
)

// BenchmarkAuditOverhead measures what logging adds to a request: the
// median time to open a report page (consultation logged in its own
// transaction before the page is sent) against the same read of the same
// report without the log entry, in the same run.
func BenchmarkAuditOverhead(b *testing.B) {
	for _, e := range storetest.Engines(b) {
		b.Run(e.Name, func(b *testing.B) {
			a := newAppB(b, e)
			ctx := context.Background()
			cookie := signIn(b, a, "analyst@nyp.example")
			s, err := a.Identity().Authenticate(ctx, cookie)
			if err != nil {
				b.Fatal(err)
			}
			rep, err := a.Reports().Create(ctx, s.Actor, service.ReportInput{Title: "Benchmark report", Body: "Text", SourceGrade: "1", IntelGrade: "A",
				Classification: "OFFICIAL", Handling: "P"})
			if err != nil {
				b.Fatal(err)
			}
			h := a.Handler()
			page := func() {
				req := httptest.NewRequest(http.MethodGet, "/reports/"+rep.ID, nil)
				req.AddCookie(&http.Cookie{Name: web.SessionCookie, Value: cookie})
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != 200 {
					b.Fatalf("got %d", rec.Code)
				}
			}
			policy, err := a.Reports().Policy(ctx)
			if err != nil {
				b.Fatal(err)
			}
			readOnly := func() {
				if _, err := a.Store().NewInfoReportQuery(policy, s.Actor, authz.View).WithID(rep.ID).One(ctx); err != nil {
					b.Fatal(err)
				}
			}
			logged := func() {
				if _, err := a.Reports().View(ctx, s.Actor, rep.ID); err != nil {
					b.Fatal(err)
				}
			}
			median := func(fn func(), n int) time.Duration {
				ds := make([]time.Duration, n)
				for i := range ds {
					t0 := time.Now()
					fn()
					ds[i] = time.Since(t0)
				}
				sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
				return ds[n/2]
			}
			for b.Loop() {
				p := median(page, 200)
				without := median(readOnly, 200)
				with := median(logged, 200)
				b.ReportMetric(float64(p.Microseconds())/1000, "page-median-ms")
				b.ReportMetric(float64(without.Microseconds())/1000, "read-median-ms")
				b.ReportMetric(float64(with.Microseconds())/1000, "read+log-median-ms")
				b.ReportMetric(float64((with-without).Microseconds())/1000, "log-adds-ms")
			}
		})
	}
}
