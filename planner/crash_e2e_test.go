package planner_test

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/skiffpaas/skiff/internal/devstack/devstacktest"
	"github.com/skiffpaas/skiff/planner"
	"github.com/skiffpaas/skiff/planner/release"
)

// TestDeployKilledMidWatch kills a real `skiff deploy` with SIGKILL while it watches the deployment: the release
// it leaves deploying is resolved by a later reader to the state Nomad reached, the deploy lock is released
// when the dead process's Consul session expires, and a retry finds nothing to do.
func TestDeployKilledMidWatch(t *testing.T) {
	s := stack.Get(t)
	image, _ := devstacktest.DemoImage(t, "crash")
	st := newStack(t, s)
	dir := t.TempDir()
	bin := buildSkiff(t)
	spec := `app "crash" {
  image = "` + image + `"
  web "web" {
    command = ["/app"]
    port    = 8080
    count   = 2
    health {
      path     = "/healthz"
      interval = "1s"
    }
    rollout {
      min_healthy_time = "6s"
      healthy_deadline = "30s"
    }
    resources {
      cpu    = 50
      memory = 32
    }
  }
}
`
	file := filepath.Join(dir, "skiff.hcl")
	if err := os.WriteFile(file, []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = st.Destroy(context.Background(), "default", "crash", planner.DeployOptions{LockTimeout: time.Minute})
	})

	cmd := exec.Command(bin, "deploy", "-f", file)
	cmd.Env = os.Environ()
	for k, v := range s.Env() {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	killWhen(t, cmd, "Deployment is running")

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	rs, err := st.Releases.List(ctx, "default", "crash")
	if err != nil || len(rs) != 1 || rs[0].State != release.Deploying || rs[0].Phase != release.PhaseWatch {
		t.Fatalf("after the kill the record is %+v (%v), want release 1 deploying in its watch phase", rs, err)
	}
	deadline := time.Now().Add(90 * time.Second)
	for {
		rs, err := st.History(ctx, "default", "crash")
		if err != nil {
			t.Fatal(err)
		}
		if rs[0].State.Final() {
			if rs[0].State != release.Succeeded {
				t.Fatalf("release resolved to %s (%s), want succeeded: Nomad's deployment succeeded", rs[0].State, rs[0].Reason)
			}
			t.Logf("resolved: %s (%s)", rs[0].State, rs[0].Reason)
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("release still %s after 90 s", rs[0].State)
		}
		time.Sleep(time.Second)
	}
	res, err := st.Deploy(ctx, parseSpec(t, spec), planner.DeployOptions{LockTimeout: time.Minute})
	if err != nil || res.Release != nil {
		t.Fatalf("retry after the kill: release %+v, %v; want nothing to do", res.Release, err)
	}
}

// TestReleaseTaskRunsOnce proves that a release task runs exactly once per release: a `skiff deploy` killed
// while its release task runs leaves the dispatched child in the release record, and a retried deploy of the
// same spec waits for that child instead of dispatching another; Ctrl-C (a cancelled context) during a release
// task stops its run and says so.
func TestReleaseTaskRunsOnce(t *testing.T) {
	s := stack.Get(t)
	image, _ := devstacktest.DemoImage(t, "once")
	st := newStack(t, s)
	bin := buildSkiff(t)
	spec := func(sleep string) string {
		return `app "once" {
  image = "` + image + `"
  worker "w" {
    command = ["/app"]
    resources {
      cpu    = 50
      memory = 32
    }
  }
  release "migrate" {
    command = ["/app", "sleep", "` + sleep + `"]
    timeout = "2m"
  }
}
`
	}
	file := filepath.Join(t.TempDir(), "skiff.hcl")
	if err := os.WriteFile(file, []byte(spec("8s")), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	t.Cleanup(func() {
		_, _ = st.Destroy(context.Background(), "default", "once", planner.DeployOptions{LockTimeout: time.Minute})
	})

	cmd := exec.Command(bin, "deploy", "-f", file)
	cmd.Env = os.Environ()
	for k, v := range s.Env() {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	killWhen(t, cmd, "dispatched as")

	var waited bool
	opts := logEvents(t)
	progress := opts.Progress
	opts.Progress = func(e planner.Event) {
		progress(e)
		waited = waited || strings.Contains(e.Message, "already runs for release")
	}
	opts.LockTimeout = time.Minute
	res, err := st.Deploy(ctx, parseSpec(t, spec("8s")), opts)
	if err != nil {
		t.Fatal(err)
	}
	if !waited || res.Release.Number != 1 || res.Release.State != release.Succeeded {
		t.Fatalf("retry: waited for the recorded run %v, release %+v; want release 1 adopted and succeeded", waited, res.Release)
	}
	children, _, err := st.Nomad.Jobs().PrefixList("once-migrate/")
	if err != nil || len(children) != 1 {
		t.Fatalf("release task children %d (%v), want exactly 1", len(children), err)
	}

	t.Run("a cancelled deploy stops its release task", func(t *testing.T) {
		cctx, ccancel := context.WithCancel(ctx)
		defer ccancel()
		opts := logEvents(t)
		progress := opts.Progress
		opts.Progress = func(e planner.Event) {
			progress(e)
			if strings.HasPrefix(e.Message, "Running release task") {
				time.AfterFunc(2*time.Second, ccancel)
			}
		}
		_, err := st.Deploy(cctx, parseSpec(t, spec("30s")), opts)
		if err == nil || !strings.Contains(err.Error(), "was stopped") {
			t.Fatalf("err = %v, want the release task stopped", err)
		}
		rec := latest(t, st, "once")
		child := rec.ReleaseTasks["once-migrate"]
		j, _, err := st.Nomad.Jobs().Info(child, nil)
		if err != nil || j.Stop == nil || !*j.Stop {
			t.Fatalf("release task run %s after the cancel: %+v, %v; want stopped", child, j, err)
		}
		if rec.State != release.Failed {
			t.Fatalf("cancelled release %+v, want failed", rec)
		}
	})
}

// buildSkiff builds the skiff CLI into a temp dir.
func buildSkiff(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "skiff")
	build := exec.Command("go", "build", "-o", bin, "./cmd/skiff")
	build.Dir = devstacktest.ModuleRoot(t)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building skiff: %v\n%s", err, out)
	}
	return bin
}

// killWhen starts cmd, logs its output, and kills it with SIGKILL once a line contains marker.
func killWhen(t *testing.T, cmd *exec.Cmd, marker string) {
	t.Helper()
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	seen := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(out)
		found := false
		for sc.Scan() {
			t.Logf("skiff: %s", sc.Text())
			if !found && strings.Contains(sc.Text(), marker) {
				found = true
				close(seen)
			}
		}
	}()
	select {
	case <-seen:
	case <-time.After(60 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatalf("skiff never printed %q", marker)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
}
