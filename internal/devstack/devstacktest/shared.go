package devstacktest

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/skiffpaas/skiff/internal/devstack"
)

// Shared is one dev stack for all the end-to-end tests of a package: started by the first test that asks for
// it, stopped by the package's TestMain after every test ran. Tests that share it must use app names and routes
// of their own.
//
//	var stack devstacktest.Shared
//	func TestMain(m *testing.M) { os.Exit(stack.Run(m)) }
//	func TestX(t *testing.T) { s := stack.Get(t); ... }
type Shared struct {
	once  sync.Once
	stack *devstack.Stack
	err   error
}

// Get returns the shared stack, starting it on first use; it fails t when the stack cannot start. When t fails,
// the tail of every agent's log is logged to t.
func (sh *Shared) Get(t testing.TB) *devstack.Stack {
	t.Helper()
	sh.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), StartupTimeout)
		defer cancel()
		begin := time.Now()
		sh.stack, sh.err = startRetrying(ctx, devstack.Options{Logf: func(format string, args ...interface{}) {
			fmt.Fprintf(os.Stderr, "devstack: "+format+"\n", args...)
		}})
		if sh.err == nil {
			fmt.Fprintf(os.Stderr, "devstack: shared stack up in %s (dir %s)\n", time.Since(begin).Round(100*time.Millisecond), sh.stack.Dir)
		}
	})
	if sh.err != nil {
		t.Fatalf("starting the shared dev stack: %v", sh.err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			for name, tail := range sh.stack.Logs(6000) {
				t.Logf("---- %s log (tail) ----\n%s", name, tail)
			}
		}
	})
	return sh.stack
}

// Run runs the package's tests and then stops the stack if one was started; it returns the exit code for
// os.Exit. A stack that fails to stop turns a passing run into a failing one.
func (sh *Shared) Run(m *testing.M) int {
	code := m.Run()
	if sh.stack != nil {
		if err := sh.stack.Stop(); err != nil {
			fmt.Fprintf(os.Stderr, "devstack: stopping the shared stack: %v\n", err)
			if code == 0 {
				code = 1
			}
		}
	}
	return code
}
