package planner_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/skiffpaas/skiff/internal/devstack/devstacktest"
	"github.com/skiffpaas/skiff/planner"
)

// TestDeployLifecycle drives one app through the life users expect, on the real stack: first deploy, an
// idempotent redeploy, a canary deploy with auto-promotion, a broken deploy that Nomad auto-reverts, a failing
// release task that aborts the deploy, a rollback, pruning, a forced cron run and a function dispatch.
func TestDeployLifecycle(t *testing.T) {
	s := stack.Get(t)
	image, _ := devstacktest.DemoImage(t, "e2e")
	st := newStack(t, s)
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	url := "http://" + s.Fabio.ProxyAddr + "/shop/"

	deploy := func(t *testing.T, p specParams) (*planner.Result, error) {
		t.Helper()
		return st.Deploy(ctx, parseSpec(t, p.hcl(image)), logEvents(t))
	}

	t.Run("first deploy serves through fabio", func(t *testing.T) {
		res, err := deploy(t, specParams{Version: "v1", WithCron: true})
		if err != nil {
			t.Fatal(err)
		}
		if res.Release == nil || res.Release.Number != 1 {
			t.Fatalf("release = %+v, want 1", res.Release)
		}
		waitBody(t, url, "hello from shop v1", 30*time.Second)
	})

	t.Run("same spec twice changes nothing", func(t *testing.T) {
		before := jobVersion(t, st, "shop")
		res, err := deploy(t, specParams{Version: "v1", WithCron: true})
		if err != nil {
			t.Fatal(err)
		}
		if res.Release != nil || res.Plan.HasChanges() {
			b, _ := json.MarshalIndent(res.Plan.Changes, "", "  ")
			t.Fatalf("second deploy made release %+v; plan %s", res.Release, b)
		}
		if after := jobVersion(t, st, "shop"); after != before {
			t.Fatalf("job version %d -> %d on an unchanged deploy", before, after)
		}
	})

	t.Run("canary deploy auto-promotes", func(t *testing.T) {
		res, err := deploy(t, specParams{Version: "v2", WithCron: true})
		if err != nil {
			t.Fatal(err)
		}
		if res.Release.Number != 2 {
			t.Fatalf("release %d, want 2", res.Release.Number)
		}
		waitBody(t, url, "hello from shop v2", 30*time.Second)
	})

	t.Run("broken deploy fails, auto-reverts, v2 keeps serving", func(t *testing.T) {
		begin := time.Now()
		_, err := deploy(t, specParams{Version: "v3", FailHealth: true, WithCron: true})
		var de *planner.DeployError
		if !errors.As(err, &de) {
			t.Fatalf("err = %v, want a *DeployError", err)
		}
		t.Logf("failed after %s: %v", time.Since(begin).Round(time.Second), de)
		if !de.AutoReverted {
			t.Errorf("auto-revert not reported: %+v", de)
		}
		if len(de.Allocs) == 0 || len(de.Allocs[0].Events) == 0 {
			t.Errorf("no per-allocation reasons: %+v", de.Allocs)
		}
		if time.Since(begin) > 60*time.Second {
			t.Errorf("failure took %s, healthy_deadline is 10s", time.Since(begin))
		}
		waitBody(t, url, "hello from shop v2", 30*time.Second)
	})

	t.Run("failing release task aborts the deploy", func(t *testing.T) {
		before := jobVersion(t, st, "shop")
		_, err := deploy(t, specParams{Version: "v4", MigrateExit: 3, WithCron: true})
		var de *planner.DeployError
		if !errors.As(err, &de) || !strings.Contains(de.Step, "release task") {
			t.Fatalf("err = %v, want a release-task DeployError", err)
		}
		if len(de.Allocs) == 0 || !strings.Contains(de.Allocs[0].LogTail, "exiting 3") {
			t.Errorf("release task log not reported: %+v", de.Allocs)
		}
		if after := jobVersion(t, st, "shop"); after != before {
			t.Fatalf("web job changed (%d -> %d) although the release task failed", before, after)
		}
		waitBody(t, url, "hello from shop v2", 10*time.Second)
	})

	t.Run("rollback to release 1", func(t *testing.T) {
		res, err := st.Rollback(ctx, "default", "shop", 1, logEvents(t))
		if err != nil {
			t.Fatal(err)
		}
		// Releases 3 (broken health) and 4 (failing release task) are recorded as failed.
		if res.Release.Number != 5 || !strings.Contains(res.Release.Description, "release 1") {
			t.Fatalf("rollback release = %+v", res.Release)
		}
		waitBody(t, url, "hello from shop v1", 30*time.Second)
	})

	t.Run("forced cron run completes", func(t *testing.T) {
		child, err := st.ForceCron(ctx, "default", "shop", "report")
		if err != nil {
			t.Fatal(err)
		}
		status, _, err := st.WaitBatch(ctx, "default", child, time.Minute)
		if err != nil || status != "complete" {
			t.Fatalf("cron run %s ended %q, %v", child, status, err)
		}
	})

	t.Run("dispatched function completes with its payload", func(t *testing.T) {
		child, err := st.Dispatch(ctx, "default", "shop", "thumb", []byte("img-42"), nil)
		if err != nil {
			t.Fatal(err)
		}
		status, alloc, err := st.WaitBatch(ctx, "default", child, time.Minute)
		if err != nil || status != "complete" {
			t.Fatalf("dispatch %s ended %q, %v", child, status, err)
		}
		out, _, err := st.RunLogs(ctx, "default", alloc)
		if err != nil || !strings.Contains(out, "payload: img-42") {
			t.Fatalf("function output %q, %v", out, err)
		}
	})

	t.Run("one-off run uses the app's image and env", func(t *testing.T) {
		res, err := st.Run(ctx, "default", "shop", "", []string{"/app", "exit", "0"}, time.Minute)
		if err != nil || res.Status != "complete" {
			t.Fatalf("run = %+v, %v", res, err)
		}
	})

	t.Run("scale persists across deploys", func(t *testing.T) {
		if err := st.Scale(ctx, "default", "shop", map[string]int{"web": 3}); err != nil {
			t.Fatal(err)
		}
		if err := st.Scale(ctx, "default", "shop", map[string]int{"report": 2}); err == nil {
			t.Fatal("scaling a cron process was accepted")
		}
		waitHealthy(t, st, "web", 3)
		status, err := st.Status(ctx, "default", "shop")
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range status.Processes {
			if p.Name == "web" && (p.Desired != 3 || p.DNS != "web-shop-default.service.consul") {
				t.Fatalf("web status %+v", p)
			}
		}
	})

	t.Run("removed cron is pruned", func(t *testing.T) {
		if _, err := deploy(t, specParams{Version: "v1"}); err != nil {
			t.Fatal(err)
		}
		j, _, err := st.Nomad.Jobs().Info("shop-report", nil)
		if err == nil && (j.Stop == nil || !*j.Stop) {
			t.Fatalf("shop-report still registered: status %v", *j.Status)
		}
		if v := jobVersion(t, st, "shop"); v == 0 {
			t.Fatal("unexpected job version")
		}
		if got := jobCount(t, st, "shop", "web"); got != 3 {
			t.Fatalf("deploy reset the scaled web count to %d, want 3 (scale persists)", got)
		}
	})

	t.Run("releases are listed newest first", func(t *testing.T) {
		rs, err := st.Releases.List(ctx, "default", "shop")
		if err != nil {
			t.Fatal(err)
		}
		states := make([]string, 0, len(rs))
		for _, r := range rs {
			states = append(states, fmt.Sprintf("%d:%s", r.Number, r.State))
		}
		want := "6:succeeded 5:succeeded 4:failed 3:failed 2:succeeded 1:succeeded"
		if got := strings.Join(states, " "); got != want {
			t.Fatalf("releases %s, want %s", got, want)
		}
	})
}
