package planner

import (
	"context"
	"fmt"
	"time"

	nomadapi "github.com/hashicorp/nomad/api"

	"github.com/skiffpaas/skiff/planner/release"
)

// Rollback restores the whole of release n as a new release, watched like a deploy: the jobs exactly as
// release n registered them (code, env, routes, and the secret versions their templates pin), the Consul
// intentions and Vault roles and policies of release n's spec (a bind removed since is recreated), and prunes
// jobs release n did not have. Counts stay as they are (the formation). Release tasks are not re-run. Only the
// processes whose jobs differ are replaced. n <= 0 means the newest succeeded release before the live one.
func (s *Stack) Rollback(ctx context.Context, ns, app string, n int, opts DeployOptions) (*Result, error) {
	what := "rollback"
	if n > 0 {
		what = fmt.Sprintf("rollback to release %d", n)
	}
	lock, err := s.Releases.Lock(ctx, ns, app, release.NewHolder(opts.CreatedBy, what), opts.LockTimeout)
	if err != nil {
		return nil, err
	}
	defer lock.Unlock()
	ctx, cancel := lockContext(ctx, lock)
	defer cancel()
	orphan, err := s.resolvePending(ctx, ns, app, true)
	if err != nil {
		return nil, err
	}
	if done, err := s.checkPreconditions(ctx, ns, app, opts); err != nil || done != nil {
		return &Result{Release: done}, err
	}
	liveRec, target, err := s.rollbackTarget(ctx, ns, app, n)
	if err != nil {
		return nil, err
	}
	snap, err := s.Releases.Snapshot(ctx, ns, app, target.Number)
	if err != nil {
		return nil, err
	}
	set := &applySet{namespace: ns, app: snap.App, changed: map[string]bool{}, enforce: map[string]uint64{},
		timeouts: map[string]time.Duration{}}
	if liveRec != nil {
		set.live = liveRec.Number
	}
	for _, rp := range s.resourcesFor(snap.App, liveRec) {
		if _, pinned := rp.(Pinner); !pinned {
			set.resources = append(set.resources, rp)
		}
	}
	rec := &Release{Description: fmt.Sprintf("rollback to release %d", target.Number), SpecHash: target.SpecHash,
		CreatedBy: opts.CreatedBy, Jobs: map[string]uint64{}, SecretVersions: target.SecretVersions, Systems: target.Systems,
		IdempotencyKey: opts.IdempotencyKey}
	if err := s.planRestore(ctx, set, snap, rec); err != nil {
		return nil, err
	}
	live, err := s.liveJobs(ctx, ns, app)
	if err != nil {
		return nil, err
	}
	keep := map[string]bool{}
	for _, j := range set.jobs {
		keep[*j.ID] = true
	}
	for id, stub := range live {
		if !keep[id] && !stub.Stop {
			set.prune = append(set.prune, id)
			rec.Plan = append(rec.Plan, "- nomad_job "+id)
		}
	}
	if set.rec, err = s.adoptOrCreate(ctx, snap.App, orphan, rec, set.jobs); err != nil {
		return nil, err
	}
	opts.emit(Event{Kind: EventStep, Release: set.rec.Number, Message: fmt.Sprintf("Rolling back %s to release %d as release %d", app, target.Number, set.rec.Number)})
	notes, err := s.apply(ctx, set, opts)
	return &Result{Release: set.rec, Notes: notes}, err
}

// rollbackTarget returns the live release and the release to roll back to.
func (s *Stack) rollbackTarget(ctx context.Context, ns, app string, n int) (live, target *Release, err error) {
	if live, err = s.Releases.Live(ctx, ns, app); err != nil {
		return nil, nil, err
	}
	if n > 0 {
		if target, err = s.Releases.Get(ctx, ns, app, n); err != nil {
			return nil, nil, err
		}
		if target == nil {
			return nil, nil, fmt.Errorf("release %d of app %q (see `skiff releases`): %w", n, app, ErrNotFound)
		}
		return live, target, nil
	}
	rs, err := s.Releases.List(ctx, ns, app)
	if err != nil {
		return nil, nil, err
	}
	if len(rs) == 0 {
		return nil, nil, fmt.Errorf("app %q in namespace %q has no releases", app, ns)
	}
	for _, r := range rs {
		if r.State == release.Succeeded && (live == nil || r.Number < live.Number) {
			return live, r, nil
		}
	}
	return nil, nil, fmt.Errorf("app %q has no succeeded release before release %d to roll back to", app, live.Number)
}

// planRestore fills set with the snapshot's jobs, counted as the live jobs are, and marks those that differ
// from the live ones (Nomad's plan diff) for registration against the live job modify index.
func (s *Stack) planRestore(ctx context.Context, set *applySet, snap *release.Snapshot, rec *Release) error {
	q := (&nomadapi.QueryOptions{Namespace: set.namespace}).WithContext(ctx)
	for _, stored := range snap.Jobs {
		id := *stored.ID
		cur, _, err := s.Nomad.Jobs().Info(id, q)
		if err != nil && !isNotFound(err) {
			return fmt.Errorf("reading job %q: %w", id, err)
		}
		if err != nil {
			cur = nil
		}
		job, err := restorable(stored, cur)
		if err != nil {
			return err
		}
		ch, err := s.planJob(ctx, job, cur != nil)
		if err != nil {
			return err
		}
		set.jobs = append(set.jobs, job)
		set.changed[id] = ch.Action != ActionNone
		if cur != nil {
			set.enforce[id] = *cur.JobModifyIndex
			rec.Jobs[id] = *cur.Version
		}
		if set.changed[id] {
			rec.Plan = append(rec.Plan, fmt.Sprintf("%s nomad_job %s", map[Action]string{ActionCreate: "+", ActionUpdate: "~"}[ch.Action], id))
		}
	}
	return nil
}
