package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/skiffpaas/skiff/api"
	"github.com/skiffpaas/skiff/planner"
)

// Deploy sends the spec, then follows the deployment's event stream into opts.Progress (the same renderer as
// direct mode) and reads the final release record. A failed release is a *remoteFailure with the record's
// reason.
func (r *remoteBackend) Deploy(ctx context.Context, spec *loadedSpec, opts planner.DeployOptions, withPlan bool) (*planner.Result, error) {
	ns, app := spec.app.Namespace, spec.app.Name
	res := &planner.Result{}
	if withPlan {
		p, err := r.Plan(ctx, spec)
		if err != nil {
			return nil, err
		}
		res.Plan = p
	}
	dep, changed, wm, err := r.client.Deployments().Create(ctx, ns, app, spec.remote, &api.DeployOptions{Detach: opts.Detach, LockTimeout: opts.LockTimeout})
	if err != nil {
		return nil, remoteError(err)
	}
	res.Notes = wm.Notes
	if !changed || dep == nil {
		live := 0
		if res.Plan != nil {
			live = res.Plan.Release
		} else if st, err := r.Status(ctx, ns, app); err == nil && st.Release != nil {
			live = st.Release.Number
		}
		emit(opts, planner.Event{Time: time.Now(), Kind: planner.EventStep,
			Message: fmt.Sprintf("No changes: release %d matches the spec.", live)})
		return res, nil
	}
	return r.follow(ctx, ns, app, dep.Number(), res, opts)
}

// Rollback rolls back to release n (0: the newest succeeded release before the live one, as direct mode
// chooses it) and follows it like Deploy. With -detach it returns once the release is recorded.
func (r *remoteBackend) Rollback(ctx context.Context, ns, app string, n int, opts planner.DeployOptions) (*planner.Result, error) {
	if n == 0 {
		var err error
		if n, err = r.rollbackTarget(ctx, ns, app); err != nil {
			return nil, err
		}
	}
	dep, changed, wm, err := r.client.Releases().Rollback(ctx, ns, app, n, &api.RollbackOptions{LockTimeout: opts.LockTimeout})
	if err != nil {
		return nil, remoteError(err)
	}
	res := &planner.Result{Notes: wm.Notes}
	if !changed || dep == nil {
		return res, nil
	}
	if opts.Detach {
		res.Release = &planner.Release{}
		return res, convert(dep.Release, res.Release)
	}
	return r.follow(ctx, ns, app, dep.Number(), res, opts)
}

// rollbackTarget returns the newest succeeded release older than the live one.
func (r *remoteBackend) rollbackTarget(ctx context.Context, ns, app string) (int, error) {
	st, err := r.Status(ctx, ns, app)
	if err != nil {
		return 0, err
	}
	rs, err := r.Releases(ctx, ns, app)
	if err != nil {
		return 0, err
	}
	if len(rs) == 0 {
		return 0, fmt.Errorf("app %q in namespace %q has no releases", app, ns)
	}
	for _, rel := range rs {
		if rel.State == planner.ReleaseSucceeded && (st.Release == nil || rel.Number < st.Release.Number) {
			return rel.Number, nil
		}
	}
	return 0, fmt.Errorf("app %q has no succeeded release before release %d to roll back to", app, st.Release.Number)
}

// follow feeds deployment n's events to opts.Progress until the end event, then reads its release record.
func (r *remoteBackend) follow(ctx context.Context, ns, app string, n int, res *planner.Result, opts planner.DeployOptions) (*planner.Result, error) {
	events, err := r.client.Deployments().Events(ctx, ns, app, n, 0)
	if err != nil {
		return res, remoteError(err)
	}
	var end *api.Event
	for e := range events {
		switch {
		case e.Err != nil:
			return res, e.Err
		case e.Kind == api.EventEnd:
			end = e
		default:
			emit(opts, plannerEvent(e))
		}
	}
	if err := ctx.Err(); err != nil {
		return res, err
	}
	d, _, err := r.client.Deployments().Info(ctx, ns, app, n)
	if err != nil {
		return res, remoteError(err)
	}
	res.Release = &planner.Release{}
	if err := convert(d.Release, res.Release); err != nil {
		return res, err
	}
	switch {
	case d.State == api.StateFailed:
		return res, &remoteFailure{release: n, reason: d.Reason}
	case end != nil && end.Reason != "":
		return res, errors.New(end.Reason) // the server stopped watching (it is shutting down)
	}
	return res, nil
}

// emit passes e to opts.Progress when set.
func emit(opts planner.DeployOptions, e planner.Event) {
	if opts.Progress != nil {
		opts.Progress(e)
	}
}

// plannerEvent converts an API event; a state event (from a server that does not run the deployment) is shown
// as a step.
func plannerEvent(e *api.Event) planner.Event {
	out := planner.Event{Time: e.Time, Kind: planner.EventKind(e.Kind), Job: e.Job, Message: e.Message,
		Release: e.Release, Group: e.Group, Alloc: e.Alloc}
	if e.Kind == api.EventState {
		out.Kind = planner.EventStep
	}
	for _, g := range e.Groups {
		out.Groups = append(out.Groups, planner.GroupProgress(g))
	}
	return out
}

// remoteFailure is a release that failed on the server. reason is the release record's ("release 3 failed:
// deployment of shop version 4 failed: <cause>; every job of the app runs release 2 again"): the API carries
// the failure as this text, without the per-allocation details direct mode prints.
type remoteFailure struct {
	release int
	reason  string
}

func (e *remoteFailure) Error() string { return e.reason }

// render prints the failure in direct mode's shape: "Error: <what failed>" and "Release N failed: <outcome>."
func (e *remoteFailure) render() string {
	cause := strings.TrimPrefix(e.reason, fmt.Sprintf("release %d failed: ", e.release))
	outcome := ""
	if i := strings.LastIndex(cause, "; "); i >= 0 {
		cause, outcome = cause[:i], cause[i+2:]
	}
	s := "Error: " + cause + "\n"
	if outcome != "" {
		s += fmt.Sprintf("Release %d failed: %s.", e.release, outcome)
	}
	return s
}

// remoteError maps an API error to what direct mode returns for the same failure: spec_invalid diagnostics
// become a *planner.DiagnosticsError (printed with file:line:col and a snippet), other API errors the
// server's detail text, which is the library's error text; transport errors stay as they are.
func remoteError(err error) error {
	var ae *api.APIError
	if err == nil || !errors.As(err, &ae) {
		return err
	}
	if ds := ae.Diagnostics(); len(ds) > 0 {
		return &planner.DiagnosticsError{Diags: hclDiagnostics(ds)}
	}
	var details []string
	for _, it := range ae.Errors {
		details = append(details, it.Detail)
	}
	if len(details) == 0 {
		return err
	}
	return &remoteAPIError{msg: strings.Join(details, "; "), err: ae}
}

// remoteAPIError is an API error shown with the server's detail only; Unwrap gives the *api.APIError.
type remoteAPIError struct {
	msg string
	err *api.APIError
}

func (e *remoteAPIError) Error() string { return e.msg }
func (e *remoteAPIError) Unwrap() error { return e.err }

// hclDiagnostics converts the server's diagnostics for the CLI's diagnostics printer.
func hclDiagnostics(ds []api.Diagnostic) hcl.Diagnostics {
	var out hcl.Diagnostics
	for _, d := range ds {
		h := &hcl.Diagnostic{Severity: hcl.DiagError, Summary: d.Summary, Detail: d.Detail}
		if d.Severity == "warning" {
			h.Severity = hcl.DiagWarning
		}
		if rg := d.Range; rg != nil {
			h.Subject = &hcl.Range{Filename: rg.Filename,
				Start: hcl.Pos{Line: rg.Start.Line, Column: rg.Start.Column, Byte: rg.Start.Byte},
				End:   hcl.Pos{Line: rg.End.Line, Column: rg.End.Column, Byte: rg.End.Byte}}
		}
		out = append(out, h)
	}
	return out
}

// convert copies an API value into the planner type the server encoded it from, through JSON.
func convert(from, to any) error {
	b, err := json.Marshal(from)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, to)
}
