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
	bin := filepath.Join(dir, "skiff")
	build := exec.Command("go", "build", "-o", bin, "./cmd/skiff")
	build.Dir = devstacktest.ModuleRoot(t)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building skiff: %v\n%s", err, out)
	}
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
	t.Cleanup(func() { _, _ = st.Destroy(context.Background(), "default", "crash", planner.DeployOptions{LockTimeout: time.Minute}) })

	cmd := exec.Command(bin, "deploy", "-f", file)
	cmd.Env = os.Environ()
	for k, v := range s.Env() {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	watching := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(out)
		seen := false
		for sc.Scan() {
			t.Logf("skiff deploy: %s", sc.Text())
			if !seen && strings.Contains(sc.Text(), "Deployment is running") {
				seen = true
				close(watching)
			}
		}
	}()
	select {
	case <-watching:
	case <-time.After(60 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("skiff deploy never started watching")
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()

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
