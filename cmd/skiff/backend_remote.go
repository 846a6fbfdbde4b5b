package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/skiffpaas/skiff/api"
	"github.com/skiffpaas/skiff/edge"
	"github.com/skiffpaas/skiff/jobspec"
	"github.com/skiffpaas/skiff/planner"
	"github.com/skiffpaas/skiff/platform"
	"github.com/skiffpaas/skiff/secrets"
)

// remoteBackend drives the platform API (`skiff serve`) through api.Client. The server's bodies are the
// planner's types encoded as JSON, and api mirrors them field for field, so every answer is converted back
// into the planner's type (see convert) and rendered as in direct mode. Errors come back through remoteError.
type remoteBackend struct {
	client *api.Client
}

var _ backend = (*remoteBackend)(nil)

func (r *remoteBackend) Plan(ctx context.Context, spec *loadedSpec) (*planner.Plan, error) {
	res, _, err := r.client.Apps().Plan(ctx, spec.app.Namespace, spec.app.Name, spec.remote)
	if err != nil {
		return nil, remoteError(err)
	}
	out := &planner.Plan{}
	return out, convert(res.Plan, out)
}

func (r *remoteBackend) Status(ctx context.Context, ns, app string) (*planner.AppStatus, error) {
	st, _, err := r.client.Apps().Status(ctx, ns, app)
	if err != nil {
		return nil, remoteError(err)
	}
	out := &planner.AppStatus{}
	return out, convert(st, out)
}

func (r *remoteBackend) Releases(ctx context.Context, ns, app string) ([]*planner.Release, error) {
	var all []*api.Release
	for rel, err := range r.client.Releases().All(ctx, ns, app, 100) {
		if err != nil {
			return nil, remoteError(err)
		}
		all = append(all, rel)
	}
	var out []*planner.Release
	return out, convert(all, &out)
}

func (r *remoteBackend) Scale(ctx context.Context, ns, app string, counts map[string]int) error {
	_, _, err := r.client.Formation().Update(ctx, ns, app, counts)
	return remoteError(err)
}

func (r *remoteBackend) Destroy(ctx context.Context, ns, app string, _ planner.DeployOptions) ([]string, error) {
	ids, _, err := r.client.Apps().Destroy(ctx, ns, app)
	return ids, remoteError(err)
}

// Promote promotes the canaries of the app's newest release; the server answers once the promoted deployment
// finished. No progress is shown: the API streams events of deploys and rollbacks, not of promotions.
func (r *remoteBackend) Promote(ctx context.Context, ns, app string, _ planner.DeployOptions) error {
	st, err := r.Status(ctx, ns, app)
	if err != nil {
		return err
	}
	rel := st.Latest
	if rel == nil {
		rel = st.Release
	}
	if rel == nil {
		return fmt.Errorf("app %q has no release to promote", app)
	}
	d, _, err := r.client.Deployments().Promote(ctx, ns, app, rel.Number)
	if err != nil {
		return remoteError(err)
	}
	if d.State == api.StateFailed {
		return &remoteFailure{release: rel.Number, reason: d.Reason}
	}
	return nil
}

func (r *remoteBackend) Logs(ctx context.Context, ns, app, process string, opts planner.LogsOptions, w io.Writer) error {
	lo := &api.LogsOptions{Process: process, Stderr: opts.Stderr, Tail: opts.Tail}
	if !opts.Follow {
		lines, _, err := r.client.Logs().Get(ctx, ns, app, lo)
		if err != nil {
			return remoteError(err)
		}
		for _, l := range lines {
			fmt.Fprintln(w, l)
		}
		return nil
	}
	ch, err := r.client.Logs().Follow(ctx, ns, app, lo)
	if err != nil {
		return remoteError(err)
	}
	for l := range ch {
		if l.Err != nil {
			return l.Err
		}
		fmt.Fprintln(w, l.Text)
	}
	return nil
}

// Run starts the run and polls it until it ended or timeout. A run that times out is left to Nomad (the API
// cannot stop runs yet); direct mode stops it.
func (r *remoteBackend) Run(ctx context.Context, ns, app, process string, command []string, timeout time.Duration) (*batchResult, error) {
	st, _, err := r.client.Runs().Create(ctx, ns, app, &api.RunOptions{Command: command, Process: process})
	if err != nil {
		return nil, remoteError(err)
	}
	wctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	end, _, err := r.client.Runs().Wait(wctx, ns, app, st.Job, time.Second)
	switch {
	case err != nil && ctx.Err() == nil && wctx.Err() != nil:
		return &batchResult{JobID: st.Job, Status: "timeout"}, nil
	case err != nil:
		return nil, remoteError(err)
	}
	return &batchResult{JobID: end.Job, Status: end.Status, Stdout: end.Stdout, Stderr: end.Stderr}, nil
}

// Dispatch dispatches a function. The API can neither force a cron run nor report on a dispatched run yet, so
// only -detach works remotely.
func (r *remoteBackend) Dispatch(ctx context.Context, ns, app, process string, payload []byte, meta map[string]string,
	detach bool, _ time.Duration, started func(string)) (*batchResult, error) {
	if !detach {
		return nil, errors.New("waiting for a dispatched run needs direct mode (the platform API cannot report " +
			"on dispatched runs yet): add -detach, or unset " + api.EnvAddress)
	}
	id, _, err := r.client.Functions().Dispatch(ctx, ns, app, process, payload, meta)
	if err != nil {
		return nil, remoteError(err)
	}
	started(id)
	return &batchResult{JobID: id, Started: true}, nil
}

// Offerings lists the offerings catalog through the API.
func (r *remoteBackend) Offerings(ctx context.Context) ([]*secrets.Offering, error) {
	list, _, err := r.client.Offerings().List(ctx)
	if err != nil {
		return nil, remoteError(err)
	}
	var out []*secrets.Offering
	return out, convert(list, &out)
}

// URLs names Fabio's proxy from the platform config file that SKIFF_PLATFORM_CONFIG names (`skiff dev env`
// exports it), else Fabio's default: the API does not publish the platform's proxy address yet, and remote
// mode reads nothing from Consul.
func (r *remoteBackend) URLs(app *jobspec.App) []string {
	proxy := platform.DefaultFabioProxyAddr
	if f := os.Getenv(planner.PlatformConfigEnv); f != "" {
		if cfg, diags := platform.ParseFile(f); !diags.HasErrors() {
			proxy = cfg.Fabio.ProxyAddr
		}
	}
	return edge.URLs(app, proxy)
}
