package planner

import (
	"context"
	"errors"
	"fmt"
	"sort"

	nomadapi "github.com/hashicorp/nomad/api"

	"github.com/skiffpaas/skiff/planner/compile"
	"github.com/skiffpaas/skiff/planner/release"
)

// Destroy removes the app from the stack under its deploy lock: every job it manages with their periodic and
// dispatched children (purged; one-off runs included), its objects in the other systems it used (intentions,
// Vault roles and config values, canary weights) and, only when all of that succeeded, its release history. A
// destroy that failed part-way can be run again and finishes the job. It returns the IDs of the parent jobs it
// removed.
func (s *Stack) Destroy(ctx context.Context, ns, app string, opts DeployOptions) ([]string, error) {
	lock, err := s.Releases.Lock(ctx, ns, app, release.NewHolder(opts.CreatedBy, "destroy"), opts.LockTimeout)
	if err != nil {
		return nil, err
	}
	unlocked := false
	defer func() {
		if !unlocked {
			_ = lock.Unlock()
		}
	}()
	q := (&nomadapi.QueryOptions{Namespace: ns, Params: map[string]string{"meta": "true"}}).WithContext(ctx)
	stubs, _, err := s.Nomad.Jobs().List(q)
	if err != nil {
		return nil, fmt.Errorf("listing jobs in namespace %q: %w", ns, err)
	}
	var ids []string
	for _, j := range stubs {
		if j.ParentID == "" && j.Meta[compile.MetaManagedBy] == compile.ManagedBy && j.Meta[compile.MetaApp] == app {
			ids = append(ids, j.ID)
		}
	}
	sort.Strings(ids)
	for _, id := range ids {
		if err := s.purgeJob(ctx, ns, id); err != nil {
			return nil, fmt.Errorf("removing job %q: %w", id, err)
		}
		opts.emit(Event{Kind: EventStep, Job: id, Message: "Removed job " + id})
	}
	used, err := s.systemsUsed(ctx, ns, app)
	if err != nil {
		return ids, err
	}
	var errs []error
	for _, rp := range s.Resources {
		if used != nil && !used[rp.System()] {
			continue
		}
		if err := rp.DestroyResources(ctx, ns, app); err != nil {
			errs = append(errs, err)
		}
	}
	if s.Traffic != nil {
		if err := s.Traffic.AppDestroyed(ctx, ns, app); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return ids, fmt.Errorf("destroy of %s is incomplete (its jobs are gone; its release history is kept so that "+
			"`skiff destroy` can be run again): %w", app, errors.Join(errs...))
	}
	if err := s.Releases.DeleteApp(ctx, ns, app); err != nil {
		return ids, err
	}
	unlocked = true
	if err := lock.Unlock(); err != nil {
		return ids, err
	}
	return ids, s.Releases.DropLock(ctx, ns, app)
}

// systemsUsed returns the systems any recorded release of the app used; nil (meaning all) when the app has
// no record to tell.
func (s *Stack) systemsUsed(ctx context.Context, ns, app string) (map[string]bool, error) {
	rs, err := s.Releases.List(ctx, ns, app)
	if err != nil || len(rs) == 0 {
		return nil, err
	}
	out := map[string]bool{"consul": true}
	for _, r := range rs {
		for _, sys := range r.Systems {
			out[sys] = true
		}
	}
	return out, nil
}
