// Package devstacktest starts a real dev stack for a test: fresh temp dir, free ports, agent logs shown when the
// test fails, and everything stopped in t.Cleanup. A missing binary or Docker engine fails the test — it never
// skips, because a skipped end-to-end suite proves nothing.
package devstacktest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/skiffpaas/skiff/internal/devstack"
)

// StartupTimeout bounds how long Start waits for the whole stack.
const StartupTimeout = 3 * time.Minute

// Start starts a stack for t and stops it when t ends. On failure of t, the tail of every agent's log is logged.
func Start(t testing.TB) *devstack.Stack {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), StartupTimeout)
	defer cancel()
	begin := time.Now()
	s, err := startRetrying(ctx, devstack.Options{Logf: t.Logf})
	if err != nil {
		t.Fatalf("starting dev stack: %v", err)
	}
	t.Logf("dev stack up in %s (dir %s)", time.Since(begin).Round(100*time.Millisecond), s.Dir)
	t.Cleanup(func() {
		if t.Failed() {
			for name, tail := range s.Logs(6000) {
				t.Logf("---- %s log (tail) ----\n%s", name, tail)
			}
		}
		if err := s.Stop(); err != nil {
			t.Errorf("stopping dev stack: %v", err)
		}
	})
	return s
}

// startRetrying starts a stack, and starts it again (at most twice more, on new ports) when an agent lost a
// port it was given to another stack starting at the same moment: the packages of `go test ./...` run in
// parallel, and a port is free when picked but may be taken before the agent binds it.
func startRetrying(ctx context.Context, opts devstack.Options) (*devstack.Stack, error) {
	for attempt := 1; ; attempt++ {
		s, err := devstack.Start(ctx, opts)
		if err == nil || attempt == 3 || !strings.Contains(err.Error(), "address already in use") {
			return s, err
		}
		opts.Logf("a port was taken while the stack started (attempt %d); starting again on other ports", attempt)
	}
}
