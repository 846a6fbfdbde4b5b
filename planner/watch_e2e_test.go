package planner_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/skiffpaas/skiff/internal/devstack/devstacktest"
	"github.com/skiffpaas/skiff/planner"
)

// The watcher's end-to-end tests: each deploys an app of its own that fails in one way, and checks that
// Deploy says why in one line, as soon as the cause is known, without repeating it per allocation.

// watchApp is the spec of one watcher test app: one process of kind, with body inside its block (the demo
// app's server unless body sets a command).
func watchApp(name, image, kind, env, body string) string {
	if !strings.Contains(body, "command") {
		body = "\n    command = [\"/app\"]" + body
	}
	return fmt.Sprintf(`app %q {
  image = %q
  env   = { APP_NAME = %q %s }
  %s "main" {%s
  }
}
`, name, image, name, env, kind, body)
}

// watchRun deploys one watcher test app and returns what Deploy returned, how long it took, and the problem
// events it emitted. The app is destroyed when the test ends.
type watchRun struct {
	err      error
	took     time.Duration
	problems []planner.Event
}

func deployWatched(t *testing.T, name, src string) watchRun {
	t.Helper()
	s := stack.Get(t)
	st := newStack(t, s)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if _, err := st.Destroy(ctx, "default", name, planner.DeployOptions{}); err != nil {
			t.Errorf("destroying %s: %v", name, err)
		}
	})
	var mu sync.Mutex
	var run watchRun
	opts := logEvents(t)
	logf := opts.Progress
	opts.Progress = func(e planner.Event) {
		logf(e)
		if e.Kind == planner.EventProblem {
			mu.Lock()
			run.problems = append(run.problems, e)
			mu.Unlock()
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	begin := time.Now()
	_, run.err = st.Deploy(ctx, parseSpec(t, src), opts)
	run.took = time.Since(begin)
	t.Logf("Deploy returned after %s: %v", run.took.Round(100*time.Millisecond), run.err)
	return run
}

// deployError returns run's *DeployError, failing t when Deploy did not fail with one.
func (run watchRun) deployError(t *testing.T) *planner.DeployError {
	t.Helper()
	var de *planner.DeployError
	if !errors.As(run.err, &de) {
		t.Fatalf("Deploy returned %v, want a *DeployError", run.err)
	}
	for _, a := range de.Allocs {
		t.Logf("  allocation %s (%s, %d alike %v): %s; cause %q; events %q", a.ID, a.Group, a.Count, a.Others,
			a.Status, a.Cause, a.Events)
	}
	if strings.Contains(de.Reason, "\n") {
		t.Errorf("reason is not one line: %q", de.Reason)
	}
	return de
}

// distinctCauses fails t when two AllocFailures of de report the same cause.
func distinctCauses(t *testing.T, de *planner.DeployError) {
	t.Helper()
	seen := map[string]bool{}
	for _, a := range de.Allocs {
		key := a.Group + "/" + a.Cause
		if a.Cause != "" && seen[key] {
			t.Errorf("cause %q is listed for more than one allocation entry: %+v", a.Cause, de.Allocs)
		}
		seen[key] = true
	}
}

// TestWatchSystemCheckFails deploys a system process, healthy first, then with an HTTP check that fails: a
// system job gets no deployment, so the watcher judges the version's allocations and their Consul checks.
func TestWatchSystemCheckFails(t *testing.T) {
	image, _ := devstacktest.DemoImage(t, "watch")
	spec := func(fail string) string {
		return watchApp("watchsys", image, "system", `, FAIL_HEALTH = "`+fail+`"`, systemBody)
	}
	if run := deployWatched(t, "watchsys", spec("0")); run.err != nil || run.took > 30*time.Second {
		t.Fatalf("healthy system process: Deploy returned %v after %s, want success within 30s", run.err, run.took)
	}
	run := deployWatched(t, "watchsys", spec("1"))
	de := run.deployError(t)
	for _, want := range []string{`"main-http"`, "unhealthy on purpose (FAIL_HEALTH=1)"} {
		if !strings.Contains(de.Reason, want) {
			t.Errorf("reason %q does not contain %q", de.Reason, want)
		}
	}
	if run.took > 90*time.Second {
		t.Errorf("the failure took %s; healthy_deadline is 10s", run.took)
	}
	distinctCauses(t, de)
}

// systemBody is the system process of TestWatchSystemCheckFails.
const systemBody = `
    port    = 8080
    health {
      path     = "/healthz"
      interval = "1s"
      timeout  = "1s"
    }
    rollout {
      min_healthy_time  = "1s"
      healthy_deadline  = "10s"
      progress_deadline = "15s"
    }
    resources {
      cpu    = 50
      memory = 32
    }`

// TestWatchMemoryTooLarge deploys a process that asks for more memory than the node has: the evaluation's
// placement failure ends the deploy at once.
func TestWatchMemoryTooLarge(t *testing.T) {
	image, _ := devstacktest.DemoImage(t, "watch")
	run := deployWatched(t, "watchmem", watchApp("watchmem", image, "worker", "", `
    resources {
      cpu    = 50
      memory = 4000000
    }`))
	de := run.deployError(t)
	for _, want := range []string{`group "main"`, "exhausted", "memory"} {
		if !strings.Contains(de.Reason, want) {
			t.Errorf("reason %q does not contain %q", de.Reason, want)
		}
	}
	if run.took > 30*time.Second {
		t.Errorf("the placement failure took %s to report, want < 30s", run.took)
	}
}

// TestWatchImageCannotBePulled deploys two instances of an image that does not exist (and cannot be pulled
// here): the driver failure fails the deployment at once, named in one line, not once per allocation.
func TestWatchImageCannotBePulled(t *testing.T) {
	const image = "skiff-e2e-nosuch:1"
	run := deployWatched(t, "watchimg", watchApp("watchimg", image, "worker", "", `
    count = 2
    resources {
      cpu    = 50
      memory = 32
    }`))
	de := run.deployError(t)
	if !strings.Contains(de.Reason, `image "`+image+`" cannot be pulled: `) {
		t.Errorf("reason %q does not name the image that cannot be pulled", de.Reason)
	}
	if cause := strings.SplitN(de.Reason, "cannot be pulled: ", 2); len(cause) < 2 || strings.TrimSpace(cause[1]) == "" {
		t.Errorf("reason %q does not carry docker's error", de.Reason)
	}
	if run.took > 60*time.Second {
		t.Errorf("the pull failure took %s to report, want < 60s", run.took)
	}
	distinctCauses(t, de)
	pulls := 0
	for _, e := range run.problems {
		if strings.Contains(e.Message, "cannot be pulled") {
			pulls++
		}
	}
	if pulls != 1 {
		t.Errorf("%d problem events name the pull failure, want 1 (once per cause, not per allocation): %+v", pulls, run.problems)
	}
	if strings.Count(de.Error(), image) != 1 {
		t.Errorf("the error names the image %d times: %s", strings.Count(de.Error(), image), de.Error())
	}
}

// TestWatchWebCheckFails deploys a web process whose HTTP check fails: the deployment fails at its
// healthy_deadline and the failure names the check and its last output instead of Nomad's "not healthy by
// the deadline".
func TestWatchWebCheckFails(t *testing.T) {
	image, _ := devstacktest.DemoImage(t, "watch")
	run := deployWatched(t, "watchchk", watchApp("watchchk", image, "web", `, FAIL_HEALTH = "1"`, `
    port    = 8080
    count   = 2
    route {
      path = "/watchchk"
    }
    health {
      path     = "/healthz"
      interval = "1s"
      timeout  = "1s"
    }
    rollout {
      min_healthy_time  = "1s"
      healthy_deadline  = "10s"
      progress_deadline = "15s"
    }
    resources {
      cpu    = 50
      memory = 32
    }`))
	de := run.deployError(t)
	for _, want := range []string{`check "main-http"`, "unhealthy on purpose (FAIL_HEALTH=1)"} {
		if !strings.Contains(de.Reason, want) {
			t.Errorf("reason %q does not contain %q", de.Reason, want)
		}
	}
	if strings.Contains(de.Reason, "min_healthy_time") {
		t.Errorf("reason %q gives Nomad's deadline message instead of the check", de.Reason)
	}
	distinctCauses(t, de)
	checks := 0
	for _, e := range run.problems {
		if strings.Contains(e.Message, `check "main-http"`) && strings.Contains(e.Message, "unhealthy on purpose") {
			checks++
		}
	}
	if checks != 1 {
		t.Errorf("%d problem events name the failing check, want 1: %+v", checks, run.problems)
	}
}

// TestWatchExitCode deploys a worker that exits with status 3: the problem is reported once, with the exit
// code, and the failure names it and carries the task's last log line.
func TestWatchExitCode(t *testing.T) {
	image, _ := devstacktest.DemoImage(t, "watch")
	run := deployWatched(t, "watchexit", watchApp("watchexit", image, "worker", "", `
    command = ["/app", "exit", "3"]
    count   = 2
    rollout {
      min_healthy_time  = "1s"
      healthy_deadline  = "10s"
      progress_deadline = "15s"
    }
    resources {
      cpu    = 50
      memory = 32
    }`))
	de := run.deployError(t)
	if !strings.Contains(de.Reason, `task "main" exited with code 3`) {
		t.Errorf("reason %q does not name the exit code", de.Reason)
	}
	distinctCauses(t, de)
	if len(de.Allocs) == 0 || !strings.Contains(de.Allocs[0].LogTail, "exiting 3") {
		t.Errorf("the task's log is not reported: %+v", de.Allocs)
	}
	exits := 0
	for _, e := range run.problems {
		if strings.Contains(e.Message, "exited with code 3") {
			exits++
		}
	}
	if exits != 1 {
		t.Errorf("%d problem events name the exit, want 1 (once per cause): %+v", exits, run.problems)
	}
}
