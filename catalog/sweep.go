package catalog

import (
	"context"
	"fmt"
	"sort"

	consulapi "github.com/hashicorp/consul/api"
	nomadapi "github.com/hashicorp/nomad/api"
)

// StaleService is a Consul registration that Nomad made for an allocation that no longer runs.
type StaleService struct {
	// Node is the Consul node the service is registered on; ID and Name the service's ID and name.
	Node string `json:"node"`
	ID   string `json:"id"`
	Name string `json:"name"`
	// AllocID is the allocation named in ID; Reason says why it is stale ("allocation not found", "allocation
	// complete", ...).
	AllocID string `json:"alloc_id"`
	Reason  string `json:"reason"`
	// Removed reports that Sweep deregistered it.
	Removed bool `json:"removed"`
}

// Sweep lists the services in Consul's catalog that Nomad registered (IDs starting with NomadTaskPrefix)
// whose allocation Nomad no longer knows or that has reached a terminal client status (complete, failed,
// lost), in node and ID order. With remove, it deregisters each one — through the local agent for services of
// the agent's own node (so that anti-entropy does not bring them back), through the catalog for other nodes —
// and marks it Removed; the first failing deregistration stops the sweep and is returned with what was found.
//
// Consul is read before Nomad, so a service registered for an allocation placed during the sweep is never
// reported. The consul token needs node and service read (and write with remove); the nomad token must read
// allocations in every namespace.
func Sweep(ctx context.Context, consul *consulapi.Client, nomad *nomadapi.Client, remove bool) ([]*StaleService, error) {
	q := (&consulapi.QueryOptions{}).WithContext(ctx)
	nodes, _, err := consul.Catalog().Nodes(q)
	if err != nil {
		return nil, fmt.Errorf("listing Consul nodes: %w", err)
	}
	type candidate struct{ node, id, name, alloc string }
	var cands []candidate
	for _, n := range nodes {
		list, _, err := consul.Catalog().NodeServiceList(n.Node, q)
		if err != nil {
			return nil, fmt.Errorf("listing services of Consul node %q: %w", n.Node, err)
		}
		if list == nil {
			continue
		}
		for _, s := range list.Services {
			if alloc, ok := AllocIDOf(s.ID); ok {
				cands = append(cands, candidate{node: n.Node, id: s.ID, name: s.Service, alloc: alloc})
			}
		}
	}
	if len(cands) == 0 {
		return nil, nil
	}
	stubs, _, err := nomad.Allocations().List((&nomadapi.QueryOptions{Namespace: "*"}).WithContext(ctx))
	if err != nil {
		return nil, fmt.Errorf("listing Nomad allocations: %w", err)
	}
	status := make(map[string]string, len(stubs))
	for _, a := range stubs {
		status[a.ID] = a.ClientStatus
	}
	var stale []*StaleService
	for _, c := range cands {
		reason := ""
		switch st, ok := status[c.alloc]; {
		case !ok:
			reason = "allocation not found"
		case st == nomadapi.AllocClientStatusComplete || st == nomadapi.AllocClientStatusFailed ||
			st == nomadapi.AllocClientStatusLost:
			reason = "allocation " + st
		default:
			continue
		}
		stale = append(stale, &StaleService{Node: c.node, ID: c.id, Name: c.name, AllocID: c.alloc, Reason: reason})
	}
	sort.Slice(stale, func(i, j int) bool {
		if stale[i].Node != stale[j].Node {
			return stale[i].Node < stale[j].Node
		}
		return stale[i].ID < stale[j].ID
	})
	if !remove || len(stale) == 0 {
		return stale, nil
	}
	local, err := consul.Agent().NodeName()
	if err != nil {
		return stale, fmt.Errorf("reading the Consul agent's node name: %w", err)
	}
	for _, s := range stale {
		if s.Node == local {
			err = consul.Agent().ServiceDeregisterOpts(s.ID, q)
		} else {
			_, err = consul.Catalog().Deregister(&consulapi.CatalogDeregistration{Node: s.Node, ServiceID: s.ID},
				(&consulapi.WriteOptions{}).WithContext(ctx))
		}
		if err != nil {
			return stale, fmt.Errorf("deregistering %s (%s) from node %q: %w", s.ID, s.Name, s.Node, err)
		}
		s.Removed = true
	}
	return stale, nil
}
