package api_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/skiffpaas/skiff/api"
	"github.com/skiffpaas/skiff/internal/devstack/devstacktest"
)

// TestLifecycle drives one app through the client against the real server over the real stack: plan,
// deploy and follow its events, a one-off run, logs and a dispatch, an unchanged redeploy, idempotent retries, a concurrent deploy refused as
// locked, a stale If-Match, a canary promoted by hand, releases page by page, a rollback, scaling and destroy.
func TestLifecycle(t *testing.T) {
	s := stack.Get(t)
	image, _ := devstacktest.DemoImage(t, "api")
	var resumes atomic.Int32 // event streams opened with a Last-Event-ID
	hs := newServer(t, newStack(t, s), func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "/events") && r.Header.Get("Last-Event-ID") != "" {
				resumes.Add(1)
			}
			h.ServeHTTP(w, r)
		})
	})
	c := newClient(t, hs.URL, testToken)
	// other is a second server over the same stack, as after a restart or behind a load balancer: it does
	// not run the deployments, and follows them from their release records.
	other := newClient(t, newServer(t, newStack(t, s)).URL, testToken)
	ctx := context.Background()
	url := "http://" + s.Fabio.ProxyAddr + "/shop/"
	v := func(version string) *api.Spec { return shopSpec{Name: "shop", Version: version}.spec(image) }

	t.Run("plan of a new app", func(t *testing.T) {
		res, meta, err := c.Apps().Plan(ctx, "default", "shop", v("v1"))
		if err != nil {
			t.Fatal(err)
		}
		p := res.Plan
		if p.App != "shop" || p.Release != 0 || p.Next != 1 || !p.HasChanges() || meta.StatusCode != 200 {
			t.Fatalf("plan %+v, meta %+v", p, meta)
		}
		i := slices.IndexFunc(p.Changes, func(ch *api.Change) bool { return ch.Resource == "nomad_job" && ch.Name == "shop" })
		if i < 0 || p.Changes[i].Action != api.ActionCreate {
			t.Fatalf("no creation of job shop in %+v", p.Changes)
		}
	})

	t.Run("deploy, follow the events to the end, serve through Fabio", func(t *testing.T) {
		d := deployAndFollow(t, c, v("v1"), "shop", &api.DeployOptions{IdempotencyKey: "shop-v1", IfMatch: api.Int(0)},
			api.StateSucceeded)
		if d.Number() != 1 || d.Release.IdempotencyKey != "shop-v1" {
			t.Fatalf("deployment %+v", d)
		}
		waitBody(t, url, "hello from shop v1", 30*time.Second)
	})

	t.Run("one-off runs, logs and a dispatch", func(t *testing.T) { testOperations(t, c) })

	t.Run("events resume after Last-Event-ID", func(t *testing.T) {
		all := follow(t, c, "shop", 1, 0)
		rest := follow(t, c, "shop", 1, 2)
		checkStream(t, rest, 3, api.StateSucceeded)
		if len(rest) != len(all)-2 || rest[0].Message != all[2].Message {
			t.Fatalf("resumed stream has %d events from %q; the whole one %d", len(rest), rest[0].Message, len(all))
		}
	})

	t.Run("the same spec changes nothing; a retry returns the first deployment", func(t *testing.T) {
		d, changed, meta, err := c.Deployments().Create(ctx, "default", "shop", v("v1"), nil)
		if err != nil || changed || d != nil || meta.StatusCode != 200 || meta.Location != "" {
			t.Fatalf("unchanged deploy: %+v, changed %v, %+v, %v", d, changed, meta, err)
		}
		d, _, _, err = c.Deployments().Create(ctx, "default", "shop", v("v1"), &api.DeployOptions{IdempotencyKey: "shop-v1"})
		if err != nil || d == nil || d.Number() != 1 {
			t.Fatalf("idempotent retry: %+v, %v", d, err)
		}
	})

	t.Run("a concurrent deploy is locked, a stale If-Match fails", func(t *testing.T) {
		d, changed, _, err := c.Deployments().Create(ctx, "default", "shop", v("v2"), &api.DeployOptions{IfMatch: api.Int(1)})
		if err != nil || !changed || d.Number() != 2 {
			t.Fatalf("deploy v2: %+v, %v", d, err)
		}
		_, _, _, err = c.Deployments().Create(ctx, "default", "shop", v("v3"), nil)
		if e := apiError(t, err); !api.IsLocked(err) || e.StatusCode != 409 || api.IsConflict(err) {
			t.Fatalf("concurrent deploy: %v", err)
		}
		checkStream(t, follow(t, c, "shop", 2, 0), 1, api.StateSucceeded)
		waitBody(t, url, "hello from shop v2", 30*time.Second)
		_, _, _, err = c.Deployments().Create(ctx, "default", "shop", v("v3"), &api.DeployOptions{IfMatch: api.Int(1)})
		if e := apiError(t, err); !api.IsPreconditionFailed(err) || e.StatusCode != 412 {
			t.Fatalf("stale If-Match: %v", err)
		}
	})

	t.Run("a canary waits, and is promoted", func(t *testing.T) {
		spec := shopSpec{Name: "shop", Version: "v3", Manual: true}.spec(image)
		d := deployAndFollow(t, c, spec, "shop", nil, api.StateDeploying)
		if d.Number() != 3 {
			t.Fatalf("deployment %+v", d)
		}
		d, _, err := c.Deployments().Promote(ctx, "default", "shop", 3)
		if err != nil || d.State != api.StateSucceeded {
			t.Fatalf("promote: %+v, %v", d, err)
		}
		waitBody(t, url, "hello from shop v3", 30*time.Second)
		if _, _, err := c.Deployments().Cancel(ctx, "default", "shop", 3); !api.IsConflict(err) {
			t.Fatalf("cancelling a finished deployment: %v", err)
		}
	})

	t.Run("rollback, followed through dropped connections and from another server", func(t *testing.T) {
		d, changed, _, err := c.Releases().Rollback(ctx, "default", "shop", 1, &api.RollbackOptions{IfMatch: api.Int(3)})
		if err != nil || !changed || d.Number() != 4 || !strings.Contains(d.Release.Description, "release 1") {
			t.Fatalf("rollback: %+v, %v", d, err)
		}
		fromRecord := make(chan []*api.Event, 1)
		go func() {
			events, err := readEvents(other, "shop", 4, 0, nil)
			if err != nil {
				t.Errorf("events from the other server: %v", err)
			}
			fromRecord <- events
		}()
		before := resumes.Load()
		events, err := readEvents(c, "shop", 4, 0, func(e *api.Event) {
			if e.ID == 1 || e.ID == 3 {
				hs.CloseClientConnections() // drop the stream under the client
			}
		})
		if err != nil {
			t.Fatal(err)
		}
		checkStream(t, events, 1, api.StateSucceeded)
		if resumes.Load() == before {
			t.Fatal("the client never resumed a dropped stream")
		}
		waitBody(t, url, "hello from shop v1", 30*time.Second)

		recorded := <-fromRecord
		end := checkStream(t, recorded, 1, api.StateSucceeded)
		if end.Release != 4 {
			t.Fatalf("the other server's end event %+v", end)
		}
		resumed := follow(t, other, "shop", 4, 3) // the client's stream moved to a server that restarted
		if len(resumed) != 1 || resumed[0].ID != 4 || resumed[0].Kind != api.EventEnd {
			t.Fatalf("resumed on the other server: %+v", resumed)
		}
	})

	t.Run("releases page by page", func(t *testing.T) {
		var got []string
		opts := &api.ListOptions{Limit: 3}
		for pages := 0; ; pages++ {
			page, _, err := c.Releases().List(ctx, "default", "shop", opts)
			if err != nil || pages > 3 {
				t.Fatalf("page %d: %v", pages, err)
			}
			for _, r := range page.Releases {
				got = append(got, fmt.Sprintf("%d:%s", r.Number, r.State))
			}
			if page.Next == 0 {
				break
			}
			opts.Cursor = page.Next
		}
		if want := "4:succeeded 3:succeeded 2:succeeded 1:succeeded"; strings.Join(got, " ") != want {
			t.Fatalf("releases %v, want %s", got, want)
		}
		var all []int
		for r, err := range c.Releases().All(ctx, "default", "shop", 1) {
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, r.Number)
		}
		if fmt.Sprint(all) != "[4 3 2 1]" {
			t.Fatalf("All: %v", all)
		}
		r, _, err := c.Releases().Info(ctx, "default", "shop", 3)
		if err != nil || r.Number != 3 || r.State != api.StateSucceeded {
			t.Fatalf("release 3: %+v, %v", r, err)
		}
	})

	t.Run("formation update", func(t *testing.T) {
		f, _, err := c.Formation().Update(ctx, "default", "shop", map[string]int{"web": 2})
		if n, ok := f.Count("web"); err != nil || !ok || n != 2 {
			t.Fatalf("update: %+v, %v", f, err)
		}
		f, _, err = c.Formation().Info(ctx, "default", "shop")
		if n, _ := f.Count("web"); err != nil || n != 2 {
			t.Fatalf("info: %+v, %v", f, err)
		}
		_, _, err = c.Formation().Update(ctx, "default", "shop", map[string]int{"nope": 1})
		if !api.IsNotFound(err) {
			t.Fatalf("an unknown process: %v, want not_found", err)
		}
		_, _, err = c.Formation().Update(ctx, "default", "shop", map[string]int{"thumb": 1})
		if e := apiError(t, err); e.Code() != api.CodeBadRequest {
			t.Fatalf("scaling a function: %v, want bad_request", err)
		}
		st, _, err := c.Apps().Status(ctx, "default", "shop")
		if err != nil || st.Release == nil || st.Release.Number != 4 || st.Process("web") == nil || st.Process("web").Desired != 2 {
			t.Fatalf("status %+v, %v", st, err)
		}
	})

	t.Run("apps and offerings", func(t *testing.T) {
		apps, _, err := c.Apps().List(ctx)
		i := slices.IndexFunc(apps, func(a api.AppSummary) bool { return a.App == "shop" })
		if err != nil || i < 0 || apps[i].Release != 4 || apps[i].LatestState != api.StateSucceeded {
			t.Fatalf("apps %+v, %v", apps, err)
		}
		offs, _, err := c.Offerings().List(ctx)
		if err != nil || !slices.ContainsFunc(offs, func(o *api.Offering) bool { return o.Name == "postgres" && o.Port > 0 }) {
			t.Fatalf("offerings %+v, %v", offs, err)
		}
	})

	t.Run("destroy", func(t *testing.T) {
		jobs, _, err := c.Apps().Destroy(ctx, "default", "shop")
		if err != nil || !slices.Contains(jobs, "shop") {
			t.Fatalf("destroy: %v, %v", jobs, err)
		}
		if _, _, err := c.Apps().Status(ctx, "default", "shop"); !api.IsNotFound(err) {
			t.Fatalf("status after destroy: %v", err)
		}
		page, _, err := c.Releases().List(ctx, "default", "shop", nil)
		if err != nil || len(page.Releases) != 0 {
			t.Fatalf("releases after destroy: %+v, %v", page, err)
		}
	})
}
