// Package loadgen sends HTTP GETs at a fixed rate to a loopback URL and counts the answers by status code
// and body, for end-to-end tests and benchmarks (zero-downtime rollouts, canary shares). It is bounded by
// construction: it refuses any target outside 127.0.0.0/8 and ::1 (checked on the URL and again on every
// connection), never follows redirects or proxies, and stops by itself after a duration and a request count
// that both have hard caps.
package loadgen

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Hard caps on any run, whatever the Config says.
const (
	MaxRate        = 2000             // requests per second
	MaxDuration    = 10 * time.Minute // per run
	MaxRequests    = 1_000_000        // per run
	MaxInFlight    = 256              // concurrent requests
	maxBodyKey     = 120              // bytes of a body kept as a ByBody key
	maxBodyKinds   = 64               // distinct body keys; the rest count under OtherBody
	maxErrorKinds  = 32               // distinct error strings
	defaultTimeout = 5 * time.Second
)

// OtherBody counts the bodies beyond the first maxBodyKinds distinct ones.
const OtherBody = "(other)"

// Config describes one run.
type Config struct {
	// URL is the target; its host must be a loopback IP or "localhost".
	URL string
	// Host, if set, is sent as the Host header (to reach a host route through a router on loopback).
	Host string
	// Header holds extra request headers.
	Header http.Header
	// Rate is requests per second (1–MaxRate).
	Rate int
	// Duration bounds the run (at most MaxDuration); Requests bounds the number of requests sent (0 means
	// Rate×Duration). The run ends at whichever comes first, or when ctx ends.
	Duration time.Duration
	Requests int
	// Timeout bounds each request (default 5s). InFlight bounds concurrent requests (default 64, at most
	// MaxInFlight); a tick that finds no free slot is counted in Result.Skipped instead of sent.
	Timeout  time.Duration
	InFlight int
}

// Result counts the answers of a run.
type Result struct {
	// Sent is the number of requests started; OK those answered 2xx.
	Sent int `json:"sent"`
	OK   int `json:"ok"`
	// ByStatus counts answers by status code; Errors counts transport errors (no answer) by message.
	ByStatus map[int]int    `json:"by_status"`
	Errors   map[string]int `json:"errors,omitempty"`
	// ByBody counts 2xx answers by body (trimmed, cut to 120 bytes).
	ByBody map[string]int `json:"by_body"`
	// Skipped counts ticks dropped because InFlight requests were outstanding.
	Skipped int `json:"skipped,omitempty"`
	// Failures lists the first failures (non-2xx or errors) with their time since the start.
	Failures []Failure `json:"failures,omitempty"`
	// Elapsed is the run's duration.
	Elapsed time.Duration `json:"elapsed"`
	// latencies are the durations of the answered requests, for Percentile.
	latencies []time.Duration
}

// Percentile returns the p-th percentile (0 < p ≤ 100) of the latencies of answered requests (any status),
// 0 when none was answered.
func (r *Result) Percentile(p float64) time.Duration {
	if len(r.latencies) == 0 {
		return 0
	}
	sorted := append([]time.Duration(nil), r.latencies...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
	i := int(math.Ceil(p/100*float64(len(sorted)))) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

// Failure is one non-2xx answer or transport error.
type Failure struct {
	At     time.Duration `json:"at"`
	Status int           `json:"status,omitempty"`
	Error  string        `json:"error,omitempty"`
	Body   string        `json:"body,omitempty"`
}

// NotOK returns the number of requests that did not get a 2xx answer (errors included).
func (r *Result) NotOK() int {
	n := 0
	for code, c := range r.ByStatus {
		if code < 200 || code > 299 {
			n += c
		}
	}
	for _, c := range r.Errors {
		n += c
	}
	return n
}

// Share returns the fraction of 2xx answers whose body contains substr.
func (r *Result) Share(substr string) float64 {
	if r.OK == 0 {
		return 0
	}
	n := 0
	for body, c := range r.ByBody {
		if strings.Contains(body, substr) {
			n += c
		}
	}
	return float64(n) / float64(r.OK)
}

// String summarises the result on one line.
func (r *Result) String() string {
	var parts []string
	codes := make([]int, 0, len(r.ByStatus))
	for c := range r.ByStatus {
		codes = append(codes, c)
	}
	sort.Ints(codes)
	for _, c := range codes {
		parts = append(parts, fmt.Sprintf("%d×%d", r.ByStatus[c], c))
	}
	for e, c := range r.Errors {
		parts = append(parts, fmt.Sprintf("%d×error(%s)", c, e))
	}
	return fmt.Sprintf("%d sent in %s: %s; skipped %d", r.Sent, r.Elapsed.Round(time.Millisecond),
		strings.Join(parts, ", "), r.Skipped)
}

// ErrNotLoopback is returned for a target outside the loopback network.
var ErrNotLoopback = errors.New("loadgen: target is not a loopback address")

// Run sends requests until the duration or request count is reached or ctx ends, then waits for the
// requests in flight and returns the counts. It fails before sending anything when the config is invalid or
// the target is not on loopback.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	u, err := checkConfig(&cfg)
	if err != nil {
		return nil, err
	}
	client := newClient(cfg)
	defer client.CloseIdleConnections()
	ctx, cancel := context.WithTimeout(ctx, cfg.Duration)
	defer cancel()

	res := &Result{ByStatus: map[int]int{}, Errors: map[string]int{}, ByBody: map[string]int{}}
	var mu sync.Mutex
	var wg sync.WaitGroup
	slots := make(chan struct{}, cfg.InFlight)
	start := time.Now()
	interval := time.Second / time.Duration(cfg.Rate)
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	record := func(f Failure, status int, body string, took time.Duration, err error) {
		mu.Lock()
		defer mu.Unlock()
		if err == nil {
			res.latencies = append(res.latencies, took)
		}
		switch {
		case err != nil:
			msg := err.Error()
			if _, known := res.Errors[msg]; !known && len(res.Errors) >= maxErrorKinds {
				msg = "(other error)"
			}
			res.Errors[msg]++
		default:
			res.ByStatus[status]++
			if status >= 200 && status <= 299 {
				res.OK++
				if _, known := res.ByBody[body]; !known && len(res.ByBody) >= maxBodyKinds {
					body = OtherBody
				}
				res.ByBody[body]++
				return
			}
		}
		if len(res.Failures) < 20 {
			res.Failures = append(res.Failures, f)
		}
	}
loop:
	for res.Sent < cfg.Requests {
		select {
		case <-ctx.Done():
			break loop
		case <-ticker.C:
		}
		select {
		case slots <- struct{}{}:
		default:
			res.Skipped++
			continue
		}
		res.Sent++
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			begin := time.Now()
			status, body, err := get(client, u, cfg)
			took := time.Since(begin)
			f := Failure{At: time.Since(start), Status: status, Body: body}
			if err != nil {
				f.Error = err.Error()
			}
			record(f, status, body, took, err)
		}()
	}
	wg.Wait()
	res.Elapsed = time.Since(start)
	if len(res.Errors) == 0 {
		res.Errors = nil
	}
	return res, nil
}

func get(client *http.Client, u *url.URL, cfg Config) (int, string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return 0, "", err
	}
	for k, v := range cfg.Header {
		req.Header[k] = v
	}
	if cfg.Host != "" {
		req.Host = cfg.Host
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if err != nil {
		return 0, "", fmt.Errorf("reading body: %w", err)
	}
	body := strings.TrimSpace(string(b))
	if len(body) > maxBodyKey {
		body = body[:maxBodyKey]
	}
	return resp.StatusCode, body, nil
}

// checkConfig applies defaults and caps and checks the target; it returns the parsed URL.
func checkConfig(cfg *Config) (*url.URL, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil {
		return nil, fmt.Errorf("loadgen: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("loadgen: URL scheme must be http or https, not %q", u.Scheme)
	}
	if !loopbackHost(u.Hostname()) {
		return nil, fmt.Errorf("%w: %q", ErrNotLoopback, u.Host)
	}
	switch {
	case cfg.Rate < 1 || cfg.Rate > MaxRate:
		return nil, fmt.Errorf("loadgen: rate %d/s is outside 1–%d", cfg.Rate, MaxRate)
	case cfg.Duration <= 0 || cfg.Duration > MaxDuration:
		return nil, fmt.Errorf("loadgen: duration %s is outside (0, %s]", cfg.Duration, MaxDuration)
	case cfg.Requests < 0 || cfg.Requests > MaxRequests:
		return nil, fmt.Errorf("loadgen: %d requests is outside 0–%d", cfg.Requests, MaxRequests)
	}
	if cfg.Requests == 0 {
		cfg.Requests = int(float64(cfg.Rate)*cfg.Duration.Seconds()) + 1
		if cfg.Requests > MaxRequests {
			cfg.Requests = MaxRequests
		}
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = defaultTimeout
	}
	if cfg.InFlight <= 0 {
		cfg.InFlight = 64
	}
	if cfg.InFlight > MaxInFlight {
		cfg.InFlight = MaxInFlight
	}
	return u, nil
}

// loopbackHost reports whether host is a loopback IP or "localhost".
func loopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// newClient returns a client that dials loopback addresses only, uses no proxy and follows no redirect.
func newClient(cfg Config) *http.Client {
	dialer := &net.Dialer{
		Timeout: cfg.Timeout,
		Control: func(network, address string, _ syscall.RawConn) error {
			host, _, err := net.SplitHostPort(address)
			if err != nil {
				return err
			}
			if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
				return fmt.Errorf("%w: dialing %s", ErrNotLoopback, address)
			}
			return nil
		},
	}
	tr := &http.Transport{
		Proxy:               nil,
		DialContext:         dialer.DialContext,
		MaxIdleConns:        cfg.InFlight,
		MaxIdleConnsPerHost: cfg.InFlight,
		IdleConnTimeout:     30 * time.Second,
	}
	return &http.Client{
		Transport:     tr,
		Timeout:       cfg.Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}
