// Package loadtest is a bounded HTTP load driver for benchmarks on this
// machine. It refuses any target that is not a loopback address, runs each
// endpoint for a fixed time and at most a fixed number of requests, and
// reports throughput and latency percentiles beside those of a bare handler
// (/healthz) measured in the same run, so results read as ratios rather than
// machine-dependent absolutes.
package loadtest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"text/tabwriter"
	"time"
)

// Options bound a run.
type Options struct {
	// BaseURL is the server, e.g. http://127.0.0.1:8080. It must resolve to a
	// loopback address.
	BaseURL string
	// Paths are the endpoints to measure, e.g. "/", "/api/v1/areas".
	Paths []string
	// Baseline is the bare handler measured first. Default "/healthz".
	Baseline string
	// Duration is how long each endpoint runs. Default 5s, at most 2m.
	Duration time.Duration
	// Concurrency is the number of workers. Default 8, at most 256.
	Concurrency int
	// MaxRequests caps the requests per endpoint. Default 200,000.
	MaxRequests int
	// Header is added to every request (e.g. Authorization).
	Header http.Header
}

// Result is one endpoint's figures.
type Result struct {
	Path          string
	Requests      int
	Errors        int // transport errors and non-2xx statuses
	Elapsed       time.Duration
	P50, P95, P99 time.Duration
}

// Throughput is requests per second.
func (r Result) Throughput() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Requests) / r.Elapsed.Seconds()
}

// CheckLoopback returns an error unless every address base's host resolves
// to is a loopback address.
func CheckLoopback(ctx context.Context, base string) error {
	u, err := url.Parse(base)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return fmt.Errorf("loadtest: %q is not an http(s) URL", base)
	}
	host := u.Hostname()
	ips, err := net.DefaultResolver.LookupIPAddr(ctx, host)
	if err != nil {
		return fmt.Errorf("loadtest: resolve %s: %w", host, err)
	}
	if len(ips) == 0 {
		return fmt.Errorf("loadtest: %s resolves to nothing", host)
	}
	for _, ip := range ips {
		if !ip.IP.IsLoopback() {
			return fmt.Errorf("loadtest: %s resolves to %s, which is not a loopback address; load tests target this machine only", host, ip.IP)
		}
	}
	return nil
}

func (o *Options) fill() error {
	if o.Baseline == "" {
		o.Baseline = "/healthz"
	}
	if o.Duration <= 0 {
		o.Duration = 5 * time.Second
	}
	if o.Duration > 2*time.Minute {
		return errors.New("loadtest: --duration is at most 2m per endpoint")
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 8
	}
	if o.Concurrency > 256 {
		return errors.New("loadtest: --concurrency is at most 256")
	}
	if o.MaxRequests <= 0 {
		o.MaxRequests = 200000
	}
	return nil
}

// Run measures the baseline and then each path, one after another.
func Run(ctx context.Context, opts Options) ([]Result, error) {
	if err := opts.fill(); err != nil {
		return nil, err
	}
	if err := CheckLoopback(ctx, opts.BaseURL); err != nil {
		return nil, err
	}
	tr := &http.Transport{MaxIdleConns: opts.Concurrency * 2, MaxIdleConnsPerHost: opts.Concurrency * 2, DisableCompression: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	paths := append([]string{opts.Baseline}, opts.Paths...)
	out := make([]Result, 0, len(paths))
	for _, p := range paths {
		r, err := runOne(ctx, client, opts, p)
		if err != nil {
			return out, err
		}
		out = append(out, r)
	}
	return out, nil
}

func runOne(ctx context.Context, client *http.Client, opts Options, path string) (Result, error) {
	if _, err := url.Parse(opts.BaseURL + path); err != nil {
		return Result{}, fmt.Errorf("loadtest: bad path %q: %w", path, err)
	}
	opts.Paths = []string{path}
	r, err := roundRobin(ctx, client, opts)
	r.Path = path
	return r, err
}

// pct returns the p-th percentile of sorted d (nearest rank).
func pct(d []time.Duration, p int) time.Duration {
	if len(d) == 0 {
		return 0
	}
	i := (len(d)*p + 99) / 100
	return d[max(0, min(len(d)-1, i-1))]
}

// Print writes results as a table, each endpoint's figures followed by its
// ratio to the baseline (the first result).
func Print(w io.Writer, results []Result) error {
	if len(results) == 0 {
		return nil
	}
	base := results[0]
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "endpoint\trequests\terrors\treq/s\tp50\tp95\tp99\tp50 ×base\tp99 ×base\treq/s ×base\t")
	for _, r := range results {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.0f\t%s\t%s\t%s\t%.1f\t%.1f\t%.2f\t\n", r.Path, r.Requests, r.Errors, r.Throughput(),
			round(r.P50), round(r.P95), round(r.P99), ratio(r.P50, base.P50), ratio(r.P99, base.P99), r.Throughput()/max(base.Throughput(), 1e-9))
	}
	return tw.Flush()
}

func ratio(a, b time.Duration) float64 {
	if b <= 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func round(d time.Duration) time.Duration {
	switch {
	case d > time.Second:
		return d.Round(time.Millisecond)
	case d > time.Millisecond:
		return d.Round(10 * time.Microsecond)
	}
	return d.Round(time.Microsecond)
}
