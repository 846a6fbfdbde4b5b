package planner_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	vaultapi "github.com/hashicorp/vault/api"

	"github.com/skiffpaas/skiff/internal/devstack/devstacktest"
	"github.com/skiffpaas/skiff/planner"
	"github.com/skiffpaas/skiff/planner/release"
)

// TestReleaseEngine proves the release engine on the real stack: a change replaces only the allocations of the
// process it changes, records carry states, the deploy lock serializes concurrent deploys, a failed release
// returns every job of the app (the cron job included) to the live release, and -detach leaves a release that
// a later reader resolves from Nomad.
func TestReleaseEngine(t *testing.T) {
	s := stack.Get(t)
	image, _ := devstacktest.DemoImage(t, "rel")
	st := newStack(t, s)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	deploy := func(t *testing.T, st *planner.Stack, p relSpec, opts planner.DeployOptions) (*planner.Result, error) {
		t.Helper()
		return st.Deploy(ctx, parseSpec(t, p.hcl(image)), opts)
	}
	t.Cleanup(func() { _, _ = st.Destroy(context.Background(), "default", "rel", planner.DeployOptions{}) })

	if res, err := deploy(t, st, relSpec{}, logEvents(t)); err != nil || res.Release.State != release.Succeeded {
		t.Fatalf("first deploy: %+v, %v", res, err)
	}
	waitRunning(t, st, "rel", map[string]int{"web": 2, "jobs": 1})

	t.Run("changing only the cron schedule leaves web and worker allocations alone", func(t *testing.T) {
		before := groupAllocs(t, st, "rel")
		version := jobVersion(t, st, "rel")
		res, err := deploy(t, st, relSpec{CronSchedule: "0 4 * * *"}, logEvents(t))
		if err != nil {
			t.Fatal(err)
		}
		if res.Release == nil || res.Release.State != release.Succeeded || strings.Join(res.Release.Registered, ",") != "rel-report" {
			t.Fatalf("release %+v, want only rel-report registered", res.Release)
		}
		if v := jobVersion(t, st, "rel"); v != version {
			t.Errorf("service job version %d -> %d for a cron change", version, v)
		}
		time.Sleep(2 * time.Second)
		after := groupAllocs(t, st, "rel")
		sameAllocs(t, "web", before["web"], after["web"])
		sameAllocs(t, "worker", before["jobs"], after["jobs"])
	})

	t.Run("a no-op deploy touches nothing", func(t *testing.T) {
		before := groupAllocs(t, st, "rel")
		res, err := deploy(t, st, relSpec{CronSchedule: "0 4 * * *"}, logEvents(t))
		if err != nil || res.Release != nil {
			t.Fatalf("no-op deploy made %+v, %v", res.Release, err)
		}
		sameAllocs(t, "web", before["web"], groupAllocs(t, st, "rel")["web"])
	})

	t.Run("a rollback that changes one process replaces only its allocations", func(t *testing.T) {
		if _, err := deploy(t, st, relSpec{CronSchedule: "0 4 * * *", WorkerVersion: "w2"}, logEvents(t)); err != nil {
			t.Fatal(err)
		}
		waitRunning(t, st, "rel", map[string]int{"web": 2, "jobs": 1})
		before := groupAllocs(t, st, "rel")
		res, err := st.Rollback(ctx, "default", "rel", 0, logEvents(t))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(res.Release.Description, "rollback to release 2") {
			t.Fatalf("rollback release %+v, want a rollback to release 2", res.Release)
		}
		waitRunning(t, st, "rel", map[string]int{"web": 2, "jobs": 1})
		after := groupAllocs(t, st, "rel")
		sameAllocs(t, "web", before["web"], after["web"])
		if fmt.Sprint(before["jobs"]) == fmt.Sprint(after["jobs"]) {
			t.Errorf("worker allocation was not replaced by the rollback: %v", after["jobs"])
		}
	})

	t.Run("two deploys at once: one applies, the other fails fast naming the holder", func(t *testing.T) {
		second := newStack(t, s)
		spec := relSpec{CronSchedule: "0 5 * * *"}
		var wg sync.WaitGroup
		errs := make([]error, 2)
		took := make([]time.Duration, 2)
		for i, stk := range []*planner.Stack{st, second} {
			wg.Add(1)
			go func(i int, stk *planner.Stack) {
				defer wg.Done()
				begin := time.Now()
				_, errs[i] = deploy(t, stk, spec, planner.DeployOptions{CreatedBy: fmt.Sprintf("deployer-%d", i)})
				took[i] = time.Since(begin)
			}(i, stk)
		}
		wg.Wait()
		var locked *release.LockedError
		ok, refused := 0, 0
		for i, err := range errs {
			switch {
			case err == nil:
				ok++
			case errors.As(err, &locked):
				refused++
				if took[i] > 5*time.Second || !strings.Contains(err.Error(), "deployer-") {
					t.Errorf("refusal after %s: %v", took[i], err)
				}
			default:
				t.Errorf("deploy %d: %v", i, err)
			}
		}
		if ok != 1 || refused != 1 {
			t.Fatalf("%d applied, %d refused (%v), want 1 and 1", ok, refused, errs)
		}
	})

	t.Run("a waiting deploy with -lock-timeout finds nothing to do", func(t *testing.T) {
		second := newStack(t, s)
		spec := relSpec{CronSchedule: "0 6 * * *"}
		done := make(chan error, 1)
		go func() {
			_, err := deploy(t, st, spec, planner.DeployOptions{CreatedBy: "first"})
			done <- err
		}()
		time.Sleep(300 * time.Millisecond)
		res, err := deploy(t, second, spec, planner.DeployOptions{CreatedBy: "second", LockTimeout: 2 * time.Minute})
		if err := <-done; err != nil {
			t.Fatalf("first deploy: %v", err)
		}
		if err != nil || res.Release != nil {
			t.Fatalf("waiting deploy: release %+v, %v; want nothing to do", res.Release, err)
		}
	})

	t.Run("a failed release returns every job, the cron job included, to the live release", func(t *testing.T) {
		live := latest(t, st, "rel")
		cronBefore := jobVersion(t, st, "rel-report")
		_, err := deploy(t, st, relSpec{CronSchedule: "0 6 * * *", FailHealth: true, CronExit: 7}, logEvents(t))
		var failed *planner.ReleaseFailedError
		if !errors.As(err, &failed) || failed.RevertedTo != live.Number {
			t.Fatalf("err = %v, want a release failure reverted to %d", err, live.Number)
		}
		rec := latest(t, st, "rel")
		if rec.State != release.Failed || rec.Reason == "" {
			t.Fatalf("failed release recorded as %+v", rec)
		}
		cron, _, err := st.Nomad.Jobs().Info("rel-report", nil)
		if err != nil {
			t.Fatal(err)
		}
		if args := fmt.Sprint(cron.TaskGroups[0].Tasks[0].Config["args"]); !strings.Contains(args, "exit 0") {
			t.Errorf("cron job runs %s after the failed release (version %d, was %d), want the live release's exit 0",
				args, *cron.Version, cronBefore)
		}
		web, _, _ := st.Nomad.Jobs().Info("rel", nil)
		if env := web.TaskGroups[0].Tasks[0].Env["FAIL_HEALTH"]; env != "0" {
			t.Errorf("web job has FAIL_HEALTH=%s after the failed release", env)
		}
	})

	t.Run("a detached deploy stays deploying until a reader resolves it from Nomad", func(t *testing.T) {
		opts := logEvents(t)
		opts.Detach = true
		res, err := deploy(t, st, relSpec{CronSchedule: "0 6 * * *", WorkerVersion: "w3"}, opts)
		if err != nil {
			t.Fatal(err)
		}
		if res.Release.State != release.Deploying || !res.Release.Detached {
			t.Fatalf("detached release %+v", res.Release)
		}
		deadline := time.Now().Add(90 * time.Second)
		for {
			rec := latest(t, st, "rel")
			if rec.State == release.Succeeded && rec.Number == res.Release.Number {
				break
			}
			if time.Now().After(deadline) || rec.State.Final() {
				t.Fatalf("detached release resolved to %+v", rec)
			}
			time.Sleep(time.Second)
		}
	})

	t.Run("a job changed behind skiff's back between plan and apply is refused", func(t *testing.T) {
		opts := logEvents(t)
		progress := opts.Progress
		opts.Progress = func(e planner.Event) {
			progress(e)
			if !strings.HasPrefix(e.Message, "Recorded release") {
				return
			}
			j, _, err := st.Nomad.Jobs().Info("rel", nil)
			if err != nil {
				t.Error(err)
				return
			}
			j.Meta["touched-by"] = "an operator"
			if _, _, err := st.Nomad.Jobs().Register(j, nil); err != nil {
				t.Error(err)
			}
		}
		_, err := deploy(t, st, relSpec{CronSchedule: "0 6 * * *", WorkerVersion: "w4"}, opts)
		var behind *planner.ChangedBehindError
		if !errors.As(err, &behind) || behind.Job != "rel" {
			t.Fatalf("err = %v, want a ChangedBehindError for job rel", err)
		}
		if rec := latest(t, st, "rel"); rec.State != release.Failed {
			t.Fatalf("release %+v, want failed", rec)
		}
		if res, err := deploy(t, st, relSpec{CronSchedule: "0 6 * * *", WorkerVersion: "w4"}, logEvents(t)); err != nil {
			t.Fatalf("a fresh deploy after the refusal: %+v, %v", res, err)
		}
	})

	t.Run("an app without secrets or binds plans and deploys with Vault down", func(t *testing.T) {
		dead, err := vaultapi.NewClient(&vaultapi.Config{Address: "http://127.0.0.1:1"})
		if err != nil {
			t.Fatal(err)
		}
		noVault := newStack(t, s).WithVault(dead, planner.VaultOptions{})
		plan, err := noVault.Plan(ctx, parseSpec(t, relSpec{CronSchedule: "0 6 * * *", WorkerVersion: "w5"}.hcl(image)))
		if err != nil || !plan.HasChanges() {
			t.Fatalf("plan with Vault down: %+v, %v", plan, err)
		}
	})

	t.Run("destroy removes the periodic job's runs too", func(t *testing.T) {
		child, err := st.ForceCron(ctx, "default", "rel", "report")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.Destroy(ctx, "default", "rel", planner.DeployOptions{}); err != nil {
			t.Fatal(err)
		}
		stubs, _, err := st.Nomad.Jobs().PrefixList("rel")
		if err != nil {
			t.Fatal(err)
		}
		for _, j := range stubs {
			t.Errorf("job %s (parent %q, status %s) survived the destroy (forced run %s)", j.ID, j.ParentID, j.Status, child)
		}
		if rs, err := st.Releases.List(ctx, "default", "rel"); err != nil || len(rs) != 0 {
			t.Errorf("release history after destroy: %d records, %v", len(rs), err)
		}
	})
}
