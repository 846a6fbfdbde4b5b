package planner

import (
	"context"
	"fmt"
	"github.com/skiffpaas/skiff/planner/compile"
	"sort"

	nomadapi "github.com/hashicorp/nomad/api"
)

// Destroy removes the app from the stack: every job it manages (purged, one-off runs included), its objects in
// the other systems (intentions, routes, canary weights) and its release records. It returns the IDs of the
// jobs it removed.
func (s *Stack) Destroy(ctx context.Context, ns, app string) ([]string, error) {
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
	w := (&nomadapi.WriteOptions{Namespace: ns}).WithContext(ctx)
	for _, id := range ids {
		if _, _, err := s.Nomad.Jobs().Deregister(id, true, w); err != nil {
			return nil, fmt.Errorf("removing job %q: %w", id, err)
		}
	}
	for _, rp := range s.Resources {
		if err := rp.DestroyResources(ctx, ns, app); err != nil {
			return ids, err
		}
	}
	if s.Traffic != nil {
		if err := s.Traffic.AppDestroyed(ctx, ns, app); err != nil {
			return ids, err
		}
	}
	return ids, s.Releases.DeleteApp(ctx, ns, app)
}
