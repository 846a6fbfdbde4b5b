package planner

import (
	"context"

	"github.com/hashicorp/hcl/v2"
	nomadapi "github.com/hashicorp/nomad/api"

	"github.com/skiffpaas/skiff/jobspec"
)

// Resource planners and traffic controllers let the systems beside Nomad join the plan and the apply without
// the planner knowing their internals: catalog (Consul intentions) and edge (Fabio routes and canary weights)
// implement them, and Stack calls every registered one in order.

// ResourcePlanner plans and applies one system's slice of an app's desired state.
type ResourcePlanner interface {
	// PlanResources returns one Change per object of the app in that system (ActionNone when in sync),
	// including objects to delete.
	PlanResources(ctx context.Context, app *jobspec.App) ([]*Change, error)
	// ApplyResources makes the system match the app. Deploy calls it after the jobs are healthy (so that
	// intentions and routes never point at instances that are not there yet) and before pruning.
	ApplyResources(ctx context.Context, app *jobspec.App) error
	// DestroyResources removes every object of the app from the system.
	DestroyResources(ctx context.Context, namespace, app string) error
}

// TrafficController follows deployments to steer traffic, e.g. giving unpromoted canaries a share of the
// requests and removing it when the deployment ends.
type TrafficController interface {
	// DeploymentChanged is called on every state change of a watched deployment of job.
	DeploymentChanged(ctx context.Context, job *nomadapi.Job, d *nomadapi.Deployment) error
	// DeploymentEnded is called once when a watched deployment succeeded, failed or was cancelled.
	DeploymentEnded(ctx context.Context, job *nomadapi.Job, d *nomadapi.Deployment) error
	// AppDestroyed removes all traffic state of the app.
	AppDestroyed(ctx context.Context, namespace, app string) error
}

// DiagnosticsError is a problem in the spec found only against live state (a route another app already
// claims, an upstream to a service that does not exist); its diagnostics point at the spec's source.
type DiagnosticsError struct {
	Diags hcl.Diagnostics
}

func (e *DiagnosticsError) Error() string { return e.Diags.Error() }
