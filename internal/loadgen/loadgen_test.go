package loadgen

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

func TestRunCountsByStatusAndBody(t *testing.T) {
	t.Parallel()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := n.Add(1)
		switch {
		case r.Host != "shop.example.com":
			http.Error(w, "wrong host "+r.Host, http.StatusBadRequest)
		case i%10 == 0:
			http.Error(w, "boom", http.StatusBadGateway)
		case i%4 == 0:
			fmt.Fprintln(w, "hello from shop v2")
		default:
			fmt.Fprintln(w, "hello from shop v1")
		}
	}))
	defer srv.Close()
	begin := time.Now()
	res, err := Run(context.Background(), Config{URL: srv.URL + "/", Host: "shop.example.com", Rate: 500,
		Duration: 5 * time.Second, Requests: 200})
	if err != nil {
		t.Fatal(err)
	}
	if res.Sent != 200 || res.Skipped != 0 {
		t.Fatalf("sent %d, skipped %d; want 200, 0", res.Sent, res.Skipped)
	}
	if took := time.Since(begin); took < 350*time.Millisecond || took > 3*time.Second {
		t.Errorf("200 requests at 500/s took %s", took)
	}
	if res.ByStatus[502] != 20 || res.OK != 180 || res.NotOK() != 20 || len(res.Failures) != 20 {
		t.Errorf("counts: %s, ok %d, not ok %d, failures %d", res, res.OK, res.NotOK(), len(res.Failures))
	}
	if got := res.ByBody["hello from shop v2"] + res.ByBody["hello from shop v1"]; got != 180 {
		t.Errorf("bodies %v", res.ByBody)
	}
	if s := res.Share("v2"); s < 0.2 || s > 0.3 {
		t.Errorf("share of v2 = %.3f, want 40/180", s)
	}
}

func TestRunStopsAtDuration(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	res, err := Run(context.Background(), Config{URL: srv.URL, Rate: 100, Duration: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if res.Sent < 20 || res.Sent > 32 || res.Elapsed > time.Second {
		t.Errorf("sent %d in %s at 100/s for 300ms", res.Sent, res.Elapsed)
	}
}

func TestRunRecordsErrorsAndSkips(t *testing.T) {
	t.Parallel()
	block := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-block }))
	defer srv.Close()
	defer close(block)
	res, err := Run(context.Background(), Config{URL: srv.URL, Rate: 200, Duration: 400 * time.Millisecond,
		InFlight: 2, Timeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if res.Skipped == 0 || len(res.Errors) == 0 || res.NotOK() != res.Sent {
		t.Errorf("with 2 slots against a stuck server: %s, errors %v", res, res.Errors)
	}
}

func TestRunDoesNotFollowRedirects(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.RedirectHandler("http://example.com/", http.StatusMovedPermanently))
	defer srv.Close()
	res, err := Run(context.Background(), Config{URL: srv.URL, Rate: 50, Duration: time.Second, Requests: 3})
	if err != nil {
		t.Fatal(err)
	}
	if res.ByStatus[301] != 3 {
		t.Errorf("redirects: %s", res)
	}
}

func TestRunRefusesWhatIsNotLoopbackOrBounded(t *testing.T) {
	t.Parallel()
	for _, cfg := range []Config{
		{URL: "http://192.0.2.1/", Rate: 1, Duration: time.Second},
		{URL: "http://example.com/", Rate: 1, Duration: time.Second},
		{URL: "http://[2001:db8::1]:80/", Rate: 1, Duration: time.Second},
		{URL: "http://10.0.0.1:9999/", Rate: 1, Duration: time.Second},
	} {
		if _, err := Run(context.Background(), cfg); !errors.Is(err, ErrNotLoopback) {
			t.Errorf("%s: err = %v, want ErrNotLoopback", cfg.URL, err)
		}
	}
	for _, cfg := range []Config{
		{URL: "http://127.0.0.1/", Rate: 0, Duration: time.Second},
		{URL: "http://127.0.0.1/", Rate: MaxRate + 1, Duration: time.Second},
		{URL: "http://127.0.0.1/", Rate: 1},
		{URL: "http://127.0.0.1/", Rate: 1, Duration: MaxDuration + time.Second},
		{URL: "http://127.0.0.1/", Rate: 1, Duration: time.Second, Requests: MaxRequests + 1},
		{URL: "ftp://127.0.0.1/", Rate: 1, Duration: time.Second},
	} {
		if _, err := Run(context.Background(), cfg); err == nil {
			t.Errorf("%+v was accepted", cfg)
		}
	}
	for _, h := range []string{"127.0.0.1", "127.3.4.5", "::1", "localhost", "LOCALHOST"} {
		if !loopbackHost(h) {
			t.Errorf("%s is loopback", h)
		}
	}
}

func TestPercentile(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(3 * time.Millisecond)
	}))
	defer srv.Close()
	res, err := Run(context.Background(), Config{URL: srv.URL, Rate: 500, Requests: 40, Duration: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if p50, p99 := res.Percentile(50), res.Percentile(99); p50 < 3*time.Millisecond || p99 < p50 {
		t.Fatalf("p50 %s p99 %s for a 3 ms handler", p50, p99)
	}
	if (&Result{}).Percentile(99) != 0 {
		t.Fatal("no answers: want 0")
	}
}
