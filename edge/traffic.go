package edge

import (
	"context"
	"sort"
	"strconv"

	nomadapi "github.com/hashicorp/nomad/api"

	"github.com/skiffpaas/skiff/planner/change"
)

// Traffic gives unpromoted canaries their share of the routed requests by writing Fabio `route weight`
// commands to Consul KV while a deployment runs (the planner's change.TrafficController). Everything it needs
// comes from the job (canary tags and meta, written by the compiler through CanaryTags and CanaryMeta) and the
// deployment, so any skiff process can take over.
type Traffic struct {
	Weights *WeightStore
}

var _ change.TrafficController = (*Traffic)(nil)

// NewTraffic returns a controller writing to weights.
func NewTraffic(weights *WeightStore) *Traffic { return &Traffic{Weights: weights} }

// DeploymentChanged writes the weight of every routed group of job whose canaries are unpromoted in an
// active deployment d, and removes it for the groups whose canaries were promoted.
func (t *Traffic) DeploymentChanged(ctx context.Context, job *nomadapi.Job, d *nomadapi.Deployment) error {
	for _, rs := range routedServices(job) {
		st := d.TaskGroups[rs.group]
		if st != nil && st.DesiredCanaries > 0 && !st.Promoted && deploymentActive(d.Status) && rs.percent > 0 {
			w := Weight{Service: rs.service, Percent: rs.percent, Canaries: st.DesiredCanaries, Srcs: rs.srcs,
				Deployment: d.ID}
			if _, err := t.Weights.Put(ctx, rs.namespace, rs.app, w); err != nil {
				return err
			}
			continue
		}
		if _, err := t.Weights.Delete(ctx, rs.namespace, rs.app, rs.service); err != nil {
			return err
		}
	}
	return nil
}

// DeploymentEnded removes the weights of job's routed groups: the deployment succeeded (canaries promoted),
// failed or was cancelled.
func (t *Traffic) DeploymentEnded(ctx context.Context, job *nomadapi.Job, d *nomadapi.Deployment) error {
	for _, rs := range routedServices(job) {
		if _, err := t.Weights.Delete(ctx, rs.namespace, rs.app, rs.service); err != nil {
			return err
		}
	}
	return nil
}

// AppDestroyed removes every weight of the app.
func (t *Traffic) AppDestroyed(ctx context.Context, namespace, app string) error {
	return t.Weights.DeleteApp(ctx, namespace, app)
}

// deploymentActive reports whether a deployment in status can still place or promote canaries.
func deploymentActive(status string) bool {
	switch status {
	case "successful", "failed", "cancelled":
		return false
	}
	return true
}

// routedService is a group's service whose canaries register with CanaryTag.
type routedService struct {
	group, service, namespace, app string
	percent                        int
	srcs                           []string
}

// routedServices returns the services of job registered with canary tags, with the weight and route sources
// the compiler put there.
func routedServices(job *nomadapi.Job) []routedService {
	var out []routedService
	for _, g := range job.TaskGroups {
		if g.Name == nil {
			continue
		}
		for _, svc := range g.Services {
			if !hasTag(svc.CanaryTags, CanaryTag) {
				continue
			}
			rs := routedService{group: *g.Name, service: svc.Name, namespace: svc.Meta[MetaNamespace], app: svc.Meta[MetaApp]}
			if rs.namespace == "" && job.Namespace != nil {
				rs.namespace = *job.Namespace
			}
			rs.percent, _ = strconv.Atoi(svc.CanaryMeta[MetaCanaryWeight])
			routes, _, _ := splitTags(svc.CanaryTags)
			for _, r := range routes {
				if !r.IsRedirect() {
					rs.srcs = append(rs.srcs, r.Src)
				}
			}
			if rs.app == "" || len(rs.srcs) == 0 {
				continue
			}
			sort.Strings(rs.srcs)
			out = append(out, rs)
		}
	}
	return out
}

func hasTag(tags []string, tag string) bool {
	for _, t := range tags {
		if t == tag {
			return true
		}
	}
	return false
}
