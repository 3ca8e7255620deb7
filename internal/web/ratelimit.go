package web

import (
	"net/http"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// RateLimit bounds how fast one client address may hit a route (sign-in and
// the second factor), answering 429 past its burst. It is a per-process
// first line of defence that sheds a storm before it reaches password
// hashing; the lock-outs that matter (per account and address, across
// servers) live in the database. It is safe for concurrent use.
type RateLimit struct {
	every  rate.Limit
	burst  int
	mu     sync.Mutex
	byAddr map[string]*rate.Limiter
	reset  time.Time
}

// NewRateLimit allows perSecond requests a second per address, with burst.
func NewRateLimit(perSecond float64, burst int) *RateLimit {
	return &RateLimit{every: rate.Limit(perSecond), burst: burst, byAddr: map[string]*rate.Limiter{}, reset: time.Now()}
}

func (l *RateLimit) allow(addr string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	// Forget everyone now and then, so the map cannot grow without bound.
	if len(l.byAddr) > 10000 || time.Since(l.reset) > 10*time.Minute {
		l.byAddr = map[string]*rate.Limiter{}
		l.reset = time.Now()
	}
	lim, ok := l.byAddr[addr]
	if !ok {
		lim = rate.NewLimiter(l.every, l.burst)
		l.byAddr[addr] = lim
	}
	return lim.Allow()
}

// Wrap limits next; refused requests get tooMany.
func (l *RateLimit) Wrap(next, tooMany http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && !l.allow(clientOf(r).Addr) {
			w.Header().Set("Retry-After", "1")
			tooMany.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}
