package planner

import (
	"github.com/skiffpaas/skiff/edge"
)

// WithFabio adds Fabio to the stack: routes join the plan (and a route another app serves fails it with a
// diagnostic), and canary weights are written under Fabio's KV path kvPath (edge.DefaultKVPath, Fabio's
// default, when empty) while a watched deployment has unpromoted canaries. NewStack calls it with the default;
// calling it again replaces the previous wiring.
func (s *Stack) WithFabio(kvPath string) *Stack {
	weights := edge.NewWeightStore(s.Consul.KV(), kvPath)
	router := edge.NewRouter(s.Consul, weights)
	replaced := false
	for i, rp := range s.Resources {
		if _, ok := rp.(*edge.Router); ok {
			s.Resources[i], replaced = router, true
		}
	}
	if !replaced {
		s.Resources = append(s.Resources, router)
	}
	s.Traffic = edge.NewTraffic(weights)
	return s
}
