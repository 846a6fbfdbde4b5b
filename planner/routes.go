package planner

import (
	"context"

	"github.com/skiffpaas/skiff/edge"
	"github.com/skiffpaas/skiff/platform"
)

// Routes compares the app's routes, as its live registrations declare them, with Fabio's routing table and the
// stored canary weights: one state per route, drift marked (edge.Drift). Fabio is read at the platform
// config's UI address.
func (s *Stack) Routes(ctx context.Context, ns, app string) ([]edge.RouteState, error) {
	cfg := s.Platform
	if cfg == nil {
		cfg = platform.Default()
	}
	live, err := edge.LiveRoutes(ctx, s.Consul)
	if err != nil {
		return nil, err
	}
	desired := edge.DesiredFromLive(live, ns, app)
	scope := map[string]bool{}
	for _, d := range desired {
		scope[d.Service] = true
	}
	for _, l := range live { // services of the app that declare no route any more
		if l.App == app && l.Namespace == ns {
			scope[l.Service] = true
		}
	}
	weights, err := edge.NewWeightStore(s.Consul.KV(), cfg.Fabio.KVPath).List(ctx, ns, app)
	if err != nil {
		return nil, err
	}
	targets, err := edge.NewFabioClient(cfg.Fabio.UIAddr).Routes(ctx)
	if err != nil {
		return nil, err
	}
	return edge.Drift(desired, weights, targets, scope), nil
}
