package planner

import (
	"context"
	"errors"
	"fmt"
	"time"

	nomadapi "github.com/hashicorp/nomad/api"

	"github.com/skiffpaas/skiff/jobspec"
	"github.com/skiffpaas/skiff/planner/compile"
	"github.com/skiffpaas/skiff/planner/release"
)

// Release is one release of an app: its record, with its state (see planner/release).
type Release = release.Record

// DeployOptions control Deploy, Rollback and Destroy.
type DeployOptions struct {
	// Detach returns once the jobs are registered, without watching their deployments; the release stays
	// "deploying" until a later skiff process resolves it from Nomad. Release tasks are still waited for: they
	// gate the rollout.
	Detach bool
	// Progress, if set, receives progress events as they happen.
	Progress func(Event)
	// CreatedBy is recorded on the release (a user or token name).
	CreatedBy string
	// LockTimeout is how long to wait for another deploy of the app to finish; 0 fails at once with a
	// *release.LockedError naming the holder.
	LockTimeout time.Duration
	// IfLive, if set, is the release the caller saw live: Deploy and Rollback fail with a *StaleReleaseError
	// when the app's live release is another one (If-Match: a CI job never deploys over a release it did not see).
	IfLive *int
	// IdempotencyKey, if set, is recorded on the release; a deploy whose key is already on one of the app's
	// releases returns that release instead of applying again.
	IdempotencyKey string
}

// Sentinel errors, returned wrapped (check them with errors.Is): front ends map them to "not found" and
// "nothing to do" answers.
var (
	// ErrNotDeployed: the app has neither jobs nor releases.
	ErrNotDeployed = errors.New("app is not deployed")
	// ErrNotFound: the app has no such release, process or run.
	ErrNotFound = errors.New("not found")
	// ErrNothingToDo: the operation has nothing to act on (no deployment waiting for promotion).
	ErrNothingToDo = errors.New("nothing to do")
)

// StaleReleaseError is returned when DeployOptions.IfLive names another release than the live one.
type StaleReleaseError struct {
	App        string
	Want, Live int
}

func (e *StaleReleaseError) Error() string {
	return fmt.Sprintf("app %q runs release %d, not %d: plan again against the live release", e.App, e.Live, e.Want)
}

// checkPreconditions enforces IfLive and IdempotencyKey under the deploy lock: it returns the release an
// earlier request with the same key made, or nil.
func (s *Stack) checkPreconditions(ctx context.Context, ns, app string, opts DeployOptions) (*Release, error) {
	if opts.IfLive == nil && opts.IdempotencyKey == "" {
		return nil, nil
	}
	head, err := s.Releases.Head(ctx, ns, app)
	if err != nil {
		return nil, err
	}
	if opts.IdempotencyKey != "" {
		for n := head.Latest; n > 0 && n > head.Latest-release.KeepSnapshots; n-- {
			r, err := s.Releases.Get(ctx, ns, app, n)
			if err != nil {
				return nil, err
			}
			if r != nil && r.IdempotencyKey == opts.IdempotencyKey {
				return r, nil
			}
		}
	}
	if opts.IfLive != nil && *opts.IfLive != head.Live {
		return nil, &StaleReleaseError{App: app, Want: *opts.IfLive, Live: head.Live}
	}
	return nil, nil
}

func (o DeployOptions) emit(e Event) {
	if o.Progress != nil {
		if e.Time.IsZero() {
			e.Time = time.Now()
		}
		o.Progress(e)
	}
}

// Result is the outcome of a Deploy or Rollback that did not fail.
type Result struct {
	// Plan is what was applied (nil for a rollback).
	Plan *Plan `json:"plan,omitempty"`
	// Release is the release that was created, or nil when nothing changed.
	Release *Release `json:"release,omitempty"`
	// Notes say what the caller should know (a deployment awaiting manual promotion, a detached watch).
	Notes []string `json:"notes,omitempty"`
}

// Deploy applies app to the stack under the app's deploy lock: plan → record the release (pending) → Vault,
// Consul additions → release tasks (waited for; a failure aborts before any other job changes) → register the
// jobs that changed (with the job modify index the plan saw) → watch them until healthy → prune the jobs the
// spec no longer has and the other systems' objects it no longer needs → succeeded. A spec that matches the
// live release changes nothing and records nothing. When any step fails, every job of the app returns to the
// live release and the release is recorded failed; the error is a *ReleaseFailedError (wrapping a
// *DeployError when the stack reported the failure).
func (s *Stack) Deploy(ctx context.Context, app *jobspec.App, opts DeployOptions) (*Result, error) {
	lock, err := s.Releases.Lock(ctx, app.Namespace, app.Name, release.NewHolder(opts.CreatedBy, "deploy"), opts.LockTimeout)
	if err != nil {
		return nil, err
	}
	defer lock.Unlock()
	ctx, cancel := lockContext(ctx, lock)
	defer cancel()
	orphan, err := s.resolvePending(ctx, app.Namespace, app.Name, true)
	if err != nil {
		return nil, err
	}
	if done, err := s.checkPreconditions(ctx, app.Namespace, app.Name, opts); err != nil || done != nil {
		return &Result{Release: done}, err
	}
	plan, err := s.Plan(ctx, app)
	if err != nil {
		return nil, err
	}
	res := &Result{Plan: plan}
	if !plan.HasChanges() {
		opts.emit(Event{Kind: EventStep, Message: fmt.Sprintf("No changes: release %d matches the spec.", plan.Release)})
		if orphan != nil {
			res.Notes = append(res.Notes, fmt.Sprintf("release %d is still %s in Nomad (see `skiff releases`)", orphan.Number, orphan.State))
		}
		return res, nil
	}
	set := &applySet{namespace: app.Namespace, app: app, live: plan.Release, resources: plan.resources,
		jobs: plan.desired.AllJobs(), run: plan.desired.ReleaseJobs, changed: map[string]bool{},
		enforce: map[string]uint64{}, timeouts: map[string]time.Duration{}}
	for _, job := range set.jobs {
		set.changed[*job.ID] = plan.changed(*job.ID)
		set.enforce[*job.ID] = plan.jobs[*job.ID].modifyIndex
	}
	for _, p := range app.Processes {
		if p.Kind == jobspec.KindRelease {
			set.timeouts[compile.JobID(app.Name, p.Name)] = p.Timeout
		}
	}
	for _, c := range plan.Changes {
		if c.Resource == ResourceNomadJob && c.Action == ActionDelete {
			set.prune = append(set.prune, c.Name)
		}
	}
	rec := &Release{Description: "deploy", SpecHash: app.SpecHash, CreatedBy: opts.CreatedBy, Plan: plan.summary(),
		IdempotencyKey: opts.IdempotencyKey,
		Jobs:           map[string]uint64{}, SecretVersions: plan.secretVersions, Systems: s.systemsOf(app)}
	for id, lj := range plan.jobs {
		rec.Jobs[id] = lj.version
	}
	if set.rec, err = s.adoptOrCreate(ctx, app, orphan, rec, set.jobs); err != nil {
		return nil, err
	}
	res.Release = set.rec
	opts.emit(Event{Kind: EventStep, Release: set.rec.Number, Message: fmt.Sprintf("Recorded release %d (%s)", set.rec.Number, set.rec.State)})
	res.Notes, err = s.apply(ctx, set, opts)
	return res, err
}

// lockContext returns ctx cancelled when the deploy lock is lost: a holder that lost its lock must stop.
func lockContext(ctx context.Context, lock *release.Lock) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancelCause(ctx)
	go func() {
		select {
		case <-lock.Lost:
			cancel(fmt.Errorf("the deploy lock was lost (Consul session expired); stopped applying"))
		case <-ctx.Done():
		}
	}()
	return ctx, func() { cancel(nil) }
}

// ensureNamespace creates the Nomad namespace if it does not exist.
func (s *Stack) ensureNamespace(ctx context.Context, ns string) error {
	_, _, err := s.Nomad.Namespaces().Info(ns, (&nomadapi.QueryOptions{}).WithContext(ctx))
	if err == nil {
		return nil
	}
	if !isNotFound(err) {
		return fmt.Errorf("reading namespace %q: %w", ns, err)
	}
	_, err = s.Nomad.Namespaces().Register(&nomadapi.Namespace{Name: ns,
		Description: "created by skiff", Meta: map[string]string{compile.MetaManagedBy: compile.ManagedBy}},
		(&nomadapi.WriteOptions{}).WithContext(ctx))
	if err != nil {
		return fmt.Errorf("creating namespace %q: %w", ns, err)
	}
	return nil
}

// ReleaseSucceeded is the state of a release whose every job is healthy (see planner/release for the others).
const ReleaseSucceeded = release.Succeeded
