package main

import (
	"context"
	"io"
	"time"

	"github.com/skiffpaas/skiff/edge"
	"github.com/skiffpaas/skiff/jobspec"
	"github.com/skiffpaas/skiff/planner"
	"github.com/skiffpaas/skiff/planner/compile"
)

// directBackend drives the stack itself through planner.Stack (Nomad, Consul and Vault from the environment).
type directBackend struct {
	st *planner.Stack
}

var _ backend = (*directBackend)(nil)

func (d *directBackend) Plan(ctx context.Context, spec *loadedSpec) (*planner.Plan, error) {
	return d.st.Plan(ctx, spec.app)
}

func (d *directBackend) Deploy(ctx context.Context, spec *loadedSpec, opts planner.DeployOptions, _ bool) (*planner.Result, error) {
	return d.st.Deploy(ctx, spec.app, opts)
}

func (d *directBackend) Status(ctx context.Context, ns, app string) (*planner.AppStatus, error) {
	return d.st.Status(ctx, ns, app)
}

func (d *directBackend) Releases(ctx context.Context, ns, app string) ([]*planner.Release, error) {
	return d.st.History(ctx, ns, app)
}

func (d *directBackend) Rollback(ctx context.Context, ns, app string, n int, opts planner.DeployOptions) (*planner.Result, error) {
	return d.st.Rollback(ctx, ns, app, n, opts)
}

func (d *directBackend) Scale(ctx context.Context, ns, app string, counts map[string]int) error {
	return d.st.Scale(ctx, ns, app, counts)
}

func (d *directBackend) Promote(ctx context.Context, ns, app string, opts planner.DeployOptions) error {
	return d.st.Promote(ctx, ns, app, opts)
}

func (d *directBackend) Destroy(ctx context.Context, ns, app string, opts planner.DeployOptions) ([]string, error) {
	return d.st.Destroy(ctx, ns, app, opts)
}

func (d *directBackend) Logs(ctx context.Context, ns, app, process string, opts planner.LogsOptions, w io.Writer) error {
	return d.st.Logs(ctx, ns, app, process, opts, w)
}

func (d *directBackend) Run(ctx context.Context, ns, app, process string, command []string, timeout time.Duration) (*batchResult, error) {
	res, err := d.st.Run(ctx, ns, app, process, command, timeout)
	if err != nil {
		return nil, err
	}
	return d.finished(ctx, ns, res.JobID, res.Status, res.AllocID), nil
}

func (d *directBackend) Dispatch(ctx context.Context, ns, app, process string, payload []byte, meta map[string]string,
	detach bool, timeout time.Duration, started func(string)) (*batchResult, error) {
	proc, err := d.st.Process(ctx, ns, app, process)
	if err != nil {
		return nil, err
	}
	var id string
	if proc.Kind == compile.KindCron {
		id, err = d.st.ForceCron(ctx, ns, app, process)
	} else {
		id, err = d.st.Dispatch(ctx, ns, app, process, payload, meta)
	}
	if err != nil {
		return nil, err
	}
	started(id)
	if detach {
		return &batchResult{JobID: id, Started: true}, nil
	}
	status, alloc, err := d.st.WaitBatch(ctx, ns, id, timeout)
	if err != nil {
		return nil, err
	}
	return d.finished(ctx, ns, id, status, alloc), nil
}

// finished reads the output of a batch run that ended; for an unplaceable run alloc is the reason.
func (d *directBackend) finished(ctx context.Context, ns, jobID, status, alloc string) *batchResult {
	r := &batchResult{JobID: jobID, Status: status}
	if status == "unplaceable" {
		r.Reason = alloc
		return r
	}
	if alloc != "" {
		if out, errOut, err := d.st.RunLogs(ctx, ns, alloc); err == nil {
			r.Stdout, r.Stderr = out, errOut
		}
	}
	return r
}

func (d *directBackend) URLs(app *jobspec.App) []string {
	return edge.URLs(app, d.st.Platform.Fabio.ProxyAddr)
}
