package loadtest

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// SignIn posts email and password to base's sign-in form and returns the
// session cookie, for measuring pages that need a signed-in user (demo
// accounts, which need no second factor).
func SignIn(ctx context.Context, base, email, password string) (*http.Cookie, error) {
	if err := CheckLoopback(ctx, base); err != nil {
		return nil, err
	}
	form := url.Values{"email": {email}, "password": {password}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/sign-in", strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	for _, ck := range resp.Cookies() {
		if strings.Contains(ck.Name, "session") && ck.Value != "" {
			return ck, nil
		}
	}
	return nil, fmt.Errorf("loadtest: sign-in as %s gave no session (status %d): use a demo account, which needs no second factor", email, resp.StatusCode)
}

// StormResult compares ordinary pages without and with a sign-in storm.
type StormResult struct {
	Quiet, Storm Result
	// Attempts counts the storm's sign-in responses by status code.
	Attempts map[int]int
}

// RunStorm measures opts.Paths (round robin) for opts.Duration quietly, then
// again while failed sign-ins arrive at rate a second, bounded in count and
// time like every other run.
func RunStorm(ctx context.Context, opts Options, rate int) (StormResult, error) {
	if err := opts.fill(); err != nil {
		return StormResult{}, err
	}
	if err := CheckLoopback(ctx, opts.BaseURL); err != nil {
		return StormResult{}, err
	}
	if rate <= 0 || rate > 1000 {
		return StormResult{}, fmt.Errorf("loadtest: --storm-rate must be from 1 to 1000 a second")
	}
	tr := &http.Transport{MaxIdleConns: 512, MaxIdleConnsPerHost: 512}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	quiet, err := roundRobin(ctx, client, opts)
	if err != nil {
		return StormResult{}, err
	}
	sctx, stop := context.WithCancel(ctx)
	var mu sync.Mutex
	attempts := map[int]int{}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(time.Second / time.Duration(rate))
		defer tick.Stop()
		deadline := time.Now().Add(opts.Duration + 5*time.Second)
		for i := 0; time.Now().Before(deadline); i++ {
			select {
			case <-sctx.Done():
				return
			case <-tick.C:
			}
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				form := url.Values{"email": {fmt.Sprintf("storm%d@attacker.example", i%500)}, "password": {"guessing password"}}
				req, _ := http.NewRequestWithContext(sctx, http.MethodPost, opts.BaseURL+"/sign-in", strings.NewReader(form.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				resp, err := client.Do(req)
				code := 0
				if err == nil {
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					code = resp.StatusCode
				}
				mu.Lock()
				attempts[code]++
				mu.Unlock()
			}(i)
		}
	}()
	time.Sleep(time.Second) // let the storm build up
	storm, err := roundRobin(ctx, client, opts)
	stop()
	wg.Wait()
	if err != nil {
		return StormResult{}, err
	}
	quiet.Path, storm.Path = "pages, quiet", "pages, during storm"
	return StormResult{Quiet: quiet, Storm: storm, Attempts: attempts}, nil
}

func roundRobin(ctx context.Context, client *http.Client, opts Options) (Result, error) {
	ctx, cancel := context.WithTimeout(ctx, opts.Duration)
	defer cancel()
	var (
		mu   sync.Mutex
		lat  []time.Duration
		errs int
		n    int
	)
	start := time.Now()
	var wg sync.WaitGroup
	for w := range opts.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; ctx.Err() == nil; i += opts.Concurrency {
				mu.Lock()
				if n >= opts.MaxRequests {
					mu.Unlock()
					return
				}
				n++
				mu.Unlock()
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, opts.BaseURL+opts.Paths[i%len(opts.Paths)], nil)
				for k, v := range opts.Header {
					req.Header[k] = v
				}
				t0 := time.Now()
				resp, err := client.Do(req)
				ok := false
				if err == nil {
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					ok = resp.StatusCode < 400
				}
				if err != nil && ctx.Err() != nil {
					return
				}
				d := time.Since(t0)
				mu.Lock()
				lat = append(lat, d)
				if !ok {
					errs++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	slices.Sort(lat)
	return Result{Requests: len(lat), Errors: errs, Elapsed: time.Since(start), P50: pct(lat, 50), P95: pct(lat, 95), P99: pct(lat, 99)}, nil
}

// PrintStorm writes the comparison.
func PrintStorm(w io.Writer, r StormResult) error {
	if err := Print(w, []Result{r.Quiet, r.Storm}); err != nil {
		return err
	}
	codes := make([]int, 0, len(r.Attempts))
	total := 0
	for c, n := range r.Attempts {
		codes = append(codes, c)
		total += n
	}
	slices.Sort(codes)
	var parts []string
	for _, c := range codes {
		parts = append(parts, fmt.Sprintf("%d×%d", r.Attempts[c], c))
	}
	_, err := fmt.Fprintf(w, "storm: %d failed sign-ins (%s); page p99 during the storm is %.2f× its quiet value\n",
		total, strings.Join(parts, ", "), ratio(r.Storm.P99, r.Quiet.P99))
	return err
}
