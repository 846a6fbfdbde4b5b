// Package devstacktest starts a real dev stack for a test: fresh temp dir, free ports, agent logs shown when the
// test fails, and everything stopped in t.Cleanup. A missing binary or Docker engine fails the test — it never
// skips, because a skipped end-to-end suite proves nothing.
package devstacktest

import (
	"context"
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
	s, err := devstack.Start(ctx, devstack.Options{Logf: t.Logf})
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
