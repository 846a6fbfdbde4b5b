package planner

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	consulapi "github.com/hashicorp/consul/api"
	nomadapi "github.com/hashicorp/nomad/api"
)

// groupServices returns, per task group of job, the names of its Consul services that have checks (group and
// task level; names Nomad interpolates at run time are skipped).
func groupServices(job *nomadapi.Job) map[string][]string {
	out := map[string][]string{}
	add := func(group string, svcs []*nomadapi.Service) {
		for _, s := range svcs {
			if s == nil || len(s.Checks) == 0 || strings.Contains(s.Name, "${") || (s.Provider != "" && s.Provider != "consul") {
				continue
			}
			out[group] = append(out[group], s.Name)
		}
	}
	for _, g := range job.TaskGroups {
		if g.Name == nil {
			continue
		}
		add(*g.Name, g.Services)
		for _, t := range g.Tasks {
			add(*g.Name, t.Services)
		}
	}
	return out
}

// allocChecks reads the Consul checks of the job's services and returns them by allocation ID, for the
// allocations of allocs whose services are registered (Nomad names a service instance after its allocation).
// An allocation of a group with checked services but no registration yet is missing from the map.
func (w *jobWatch) allocChecks(ctx context.Context, allocs []*nomadapi.AllocationListStub) (map[string][]*consulapi.HealthCheck, error) {
	out := map[string][]*consulapi.HealthCheck{}
	if w.s.Consul == nil {
		return out, nil
	}
	services := groupServices(w.job)
	names := map[string]bool{}
	for _, a := range allocs {
		for _, n := range services[a.TaskGroup] {
			names[n] = true
		}
	}
	sorted := make([]string, 0, len(names))
	for n := range names {
		sorted = append(sorted, n)
	}
	sort.Strings(sorted)
	for _, name := range sorted {
		q := (&consulapi.QueryOptions{AllowStale: true}).WithContext(ctx)
		entries, _, err := w.s.Consul.Health().Service(name, "", false, q)
		if err != nil {
			return nil, fmt.Errorf("reading the health of service %s: %w", name, err)
		}
		for _, e := range entries {
			if e.Service == nil {
				continue
			}
			for _, a := range allocs {
				if !strings.Contains(e.Service.ID, a.ID) {
					continue
				}
				if out[a.ID] == nil {
					out[a.ID] = []*consulapi.HealthCheck{}
				}
				for _, c := range e.Checks {
					if c.ServiceID == e.Service.ID {
						out[a.ID] = append(out[a.ID], c)
					}
				}
			}
		}
	}
	w.liveOutputs(ctx, out)
	return out, nil
}

// liveOutputs replaces the output of the failing checks in byAlloc that the Consul agent skiff talks to runs
// with the agent's live output: Consul syncs a check's output to the catalog only when its status changes
// (or every check_update_interval, 5 minutes by default), so the catalog still holds the output of the
// check's first run ("" for a check registered critical). Checks of other nodes keep the catalog's output.
func (w *jobWatch) liveOutputs(ctx context.Context, byAlloc map[string][]*consulapi.HealthCheck) {
	var failing []*consulapi.HealthCheck
	for _, chks := range byAlloc {
		for _, c := range chks {
			if c.Status != consulapi.HealthPassing {
				failing = append(failing, c)
			}
		}
	}
	if len(failing) == 0 {
		return
	}
	if w.agentNode == "" {
		name, err := w.s.Consul.Agent().NodeName()
		if err != nil {
			return
		}
		w.agentNode = name
	}
	var live map[string]*consulapi.AgentCheck
	for _, c := range failing {
		if c.Node != w.agentNode {
			continue
		}
		if live == nil {
			var err error
			if live, err = w.s.Consul.Agent().ChecksWithFilterOpts("", (&consulapi.QueryOptions{}).WithContext(ctx)); err != nil {
				return
			}
		}
		if a := live[c.CheckID]; a != nil {
			c.Status, c.Output = a.Status, a.Output
		}
	}
}

// checksPass reports whether a's checked services are all registered and every one of their checks passes;
// true for an allocation without checked services.
func checksPass(services []string, chks []*consulapi.HealthCheck, registered bool) bool {
	if len(services) == 0 {
		return true
	}
	if !registered || len(chks) == 0 {
		return false
	}
	seen := map[string]bool{}
	for _, c := range chks {
		if c.Status != consulapi.HealthPassing {
			return false
		}
		seen[c.ServiceName] = true
	}
	for _, s := range services {
		if !seen[s] {
			return false
		}
	}
	return true
}

// healthTiming returns the group's min_healthy_time, healthy_deadline and whether its health counts its
// checks (health_check = "checks", Nomad's default) from its update block, else the job's, else Nomad's
// defaults (10s, 5m).
func healthTiming(job *nomadapi.Job, group string) (minHealthy, deadline time.Duration, useChecks bool) {
	minHealthy, deadline, useChecks = 10*time.Second, 5*time.Minute, true
	apply := func(u *nomadapi.UpdateStrategy) {
		if u == nil {
			return
		}
		if u.MinHealthyTime != nil {
			minHealthy = *u.MinHealthyTime
		}
		if u.HealthyDeadline != nil && *u.HealthyDeadline > 0 {
			deadline = *u.HealthyDeadline
		}
		if u.HealthCheck != nil && *u.HealthCheck != "" {
			useChecks = *u.HealthCheck != "task_states"
		}
	}
	apply(job.Update)
	for _, g := range job.TaskGroups {
		if g.Name != nil && *g.Name == group {
			apply(g.Update)
		}
	}
	return minHealthy, deadline, useChecks
}

// groupCounts returns the desired count of each group of a service job; nil for a system job (one
// allocation per eligible node, however many there are).
func groupCounts(job *nomadapi.Job) map[string]int {
	if job.Type != nil && *job.Type == nomadapi.JobTypeSystem {
		return nil
	}
	out := map[string]int{}
	for _, g := range job.TaskGroups {
		if g.Name != nil {
			n := 1
			if g.Count != nil {
				n = *g.Count
			}
			out[*g.Name] = n
		}
	}
	return out
}
