package app_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"

	"alliance/internal/app"
	"alliance/internal/config"
	"alliance/internal/demo"
	"alliance/internal/service"
	"alliance/internal/store/storetest"
)

// TestTwoServersShareSessionsAndThrottles runs two app servers on one
// database, as behind a load balancer: a session made on one works on the
// other, signing out on one ends it on both, and failed sign-ins on one
// count towards the lock-out on the other.
func TestTwoServersShareSessionsAndThrottles(t *testing.T) {
	for _, e := range storetest.Engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			dsn := e.DSN(t)
			open := func(demoLoad bool) *app.App {
				c, _ := config.Load(func(string) string { return "" })
				c.DB, c.Demo, c.SecretKey = dsn, demoLoad, testKey
				a, err := app.New(context.Background(), c, slog.New(slog.NewTextHandler(io.Discard, nil)), app.Options{Hasher: cheap})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { a.Close() })
				return a
			}
			one, two := open(true), open(false)
			cookie := signIn(t, one, "analyst@nyp.example")
			scenario{name: "session from server one on server two", path: "/account", cookie: cookie, wantStatus: 200,
				wantContains: []string{"analyst@nyp.example"}}.run(t, two.Handler())
			scenario{name: "sign out on server two", method: "POST", path: "/sign-out", cookie: cookie, wantStatus: 303}.run(t, two.Handler())
			scenario{name: "signed out on server one too", path: "/account", cookie: cookie, wantStatus: 303}.run(t, one.Handler())

			ctx := context.Background()
			c := service.Client{Addr: "198.51.100.7"}
			for i := 0; i < 5; i++ {
				srv := one
				if i%2 == 1 {
					srv = two
				}
				if _, err := srv.Identity().SignIn(ctx, "officer@nyc.example", "wrong password here", c); !errors.Is(err, service.ErrSignInFailed) {
					t.Fatalf("failure %d: got %v", i+1, err)
				}
			}
			for name, srv := range map[string]*app.App{"one": one, "two": two} {
				if _, err := srv.Identity().SignIn(ctx, "officer@nyc.example", demo.Password, c); !errors.Is(err, service.ErrThrottled) {
					t.Errorf("server %s after 5 failures split across servers: got %v, want ErrThrottled", name, err)
				}
			}
		})
	}
}
