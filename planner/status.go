package planner

import (
	"context"
	"fmt"
	"github.com/skiffpaas/skiff/planner/compile"
	"sort"
	"time"

	consulapi "github.com/hashicorp/consul/api"
	nomadapi "github.com/hashicorp/nomad/api"
)

// AppStatus is the live state of an app, read from Nomad and Consul.
type AppStatus struct {
	App       string `json:"app"`
	Namespace string `json:"namespace"`
	// Release is the live release (the newest that succeeded); Latest the newest release when it is another
	// one (deploying, failed, superseded).
	Release   *Release        `json:"release,omitempty"`
	Latest    *Release        `json:"latest,omitempty"`
	Processes []ProcessStatus `json:"processes"`
	// Deployments holds the latest deployment of each service or system job.
	Deployments []DeploymentStatus `json:"deployments,omitempty"`
}

// ProcessStatus is one process's live state.
type ProcessStatus struct {
	Name  string `json:"name"`
	Kind  string `json:"kind"`
	JobID string `json:"job"`
	// Desired, Running and Failed count allocations (runs, for batch processes).
	Desired int `json:"desired"`
	Running int `json:"running"`
	Failed  int `json:"failed"`
	// Service and DNS name the Consul service of a service process; Healthy counts its passing instances.
	Service string `json:"service,omitempty"`
	DNS     string `json:"dns,omitempty"`
	Healthy int    `json:"healthy"`
	// NextRun is the next launch of a cron process.
	NextRun *time.Time `json:"next_run,omitempty"`
}

// DeploymentStatus summarizes a Nomad deployment.
type DeploymentStatus struct {
	JobID       string `json:"job"`
	ID          string `json:"id"`
	JobVersion  uint64 `json:"job_version"`
	Status      string `json:"status"`
	Description string `json:"description"`
}

// Status reads the app's processes, their counts and health, its latest deployments and its last release.
func (s *Stack) Status(ctx context.Context, ns, app string) (*AppStatus, error) {
	live, err := s.liveJobs(ctx, ns, app)
	if err != nil {
		return nil, err
	}
	st := &AppStatus{App: app, Namespace: ns}
	if _, err := s.resolvePending(ctx, ns, app, false); err != nil {
		return nil, err
	}
	head, err := s.Releases.Head(ctx, ns, app)
	if err != nil {
		return nil, err
	}
	if head.Live > 0 {
		if st.Release, err = s.Releases.Get(ctx, ns, app, head.Live); err != nil {
			return nil, err
		}
	}
	if head.Latest > head.Live {
		if st.Latest, err = s.Releases.Get(ctx, ns, app, head.Latest); err != nil {
			return nil, err
		}
	}
	if len(live) == 0 {
		if head.Latest == 0 {
			return nil, fmt.Errorf("app %q in namespace %q: %w", app, ns, ErrNotDeployed)
		}
		return nil, fmt.Errorf("app %q has no jobs in namespace %q, but %d release record(s): a destroy did not finish "+
			"(run `skiff destroy %s` again) or every job was removed behind skiff's back", app, ns, head.Latest, app)
	}
	q := (&nomadapi.QueryOptions{Namespace: ns}).WithContext(ctx)
	ids := make([]string, 0, len(live))
	for id := range live {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		job, _, err := s.Nomad.Jobs().Info(id, q)
		if err != nil {
			return nil, fmt.Errorf("reading job %q: %w", id, err)
		}
		sum, _, err := s.Nomad.Jobs().Summary(id, q)
		if err != nil {
			return nil, fmt.Errorf("reading job summary of %q: %w", id, err)
		}
		kind := job.Meta[compile.MetaKind]
		for _, g := range job.TaskGroups {
			ps := ProcessStatus{Name: *g.Name, Kind: kind, JobID: id, Desired: *g.Count}
			if kind == compile.KindService {
				ps.Kind = g.Meta[compile.MetaKind]
			}
			ts := sum.Summary[*g.Name]
			ps.Running, ps.Failed = ts.Running, ts.Failed
			if sum.Children != nil && (kind == compile.KindCron || kind == compile.KindFunction || kind == compile.KindRelease) {
				ps.Running, ps.Failed = int(sum.Children.Running), int(sum.Children.Dead)
			}
			for _, svc := range g.Services {
				ps.Service, ps.DNS = svc.Name, svc.Name+".service.consul"
				ps.Healthy, err = s.passing(ctx, svc.Name)
				if err != nil {
					return nil, err
				}
			}
			if job.Periodic != nil && job.Periodic.Spec != nil {
				if next, err := job.Periodic.Next(time.Now()); err == nil {
					ps.NextRun = &next
				}
			}
			st.Processes = append(st.Processes, ps)
		}
		if t := *job.Type; t == nomadapi.JobTypeService || t == nomadapi.JobTypeSystem {
			d, _, err := s.Nomad.Jobs().LatestDeployment(id, q)
			if err == nil && d != nil {
				st.Deployments = append(st.Deployments, DeploymentStatus{JobID: id, ID: d.ID,
					JobVersion: d.JobVersion, Status: d.Status, Description: d.StatusDescription})
			}
		}
	}
	return st, nil
}

// passing counts the passing instances of a Consul service.
func (s *Stack) passing(ctx context.Context, service string) (int, error) {
	q := (&consulapi.QueryOptions{}).WithContext(ctx)
	entries, _, err := s.Consul.Health().Service(service, "", true, q)
	if err != nil {
		return 0, fmt.Errorf("reading health of %s from Consul: %w", service, err)
	}
	return len(entries), nil
}
