// Package change holds the vocabulary that the planner shares with the packages that plan the systems beside
// Nomad (catalog for Consul, edge for Fabio, secrets for Vault): a Change per object, its field-level diff, and
// the interfaces through which those packages join the plan and the apply.
//
// It is a leaf package on purpose. The planner imports catalog and edge (to compile names and route tags), so
// they cannot import the planner; they import this package instead, and the planner re-exports its types.
package change

import (
	"context"

	"github.com/hashicorp/hcl/v2"
	nomadapi "github.com/hashicorp/nomad/api"

	"github.com/skiffpaas/skiff/jobspec"
)

// Action is what applying a change does to one object.
type Action string

// The actions, in the symbols terraform users know: + create, ~ update, - delete.
const (
	Create Action = "create"
	Update Action = "update"
	Delete Action = "delete"
	None   Action = "none"
)

// Change is one object of desired state compared with live state.
type Change struct {
	// Resource is the object type ("nomad_job", "consul_intention", "fabio_route", ...); Name its ID;
	// Namespace its tenant.
	Resource  string `json:"resource"`
	Name      string `json:"name"`
	Namespace string `json:"namespace,omitempty"`
	Action    Action `json:"action"`
	// Diff is the field-level difference, a tree of named nodes; empty for create and delete.
	Diff []*DiffNode `json:"diff,omitempty"`
	// Notes are remarks on the change (placement failures, what an update will do).
	Notes []string `json:"notes,omitempty"`
}

// DiffNode is one changed field or object. Fields have Old and New; objects have Children. Secret values are
// never put in a DiffNode: planners write "(sensitive)" instead.
type DiffNode struct {
	Action   Action      `json:"action"`
	Name     string      `json:"name"`
	Old      string      `json:"old,omitempty"`
	New      string      `json:"new,omitempty"`
	Children []*DiffNode `json:"children,omitempty"`
}

// ResourcePlanner plans and applies one system's slice of an app's desired state. A deploy applies in order:
// ApplyResources (additions and updates) before any job changes, PruneResources (removals) only after the new
// release is healthy and the jobs it dropped are pruned — so that a running or auto-reverted release never loses
// a credential, policy or intention it still uses.
type ResourcePlanner interface {
	// System names the system the planner writes ("consul", "vault", "fabio"). Release records list the systems
	// an app uses, so that a later plan knows what it must read even when the spec stopped using it.
	System() string
	// Uses reports whether app has objects in this system. A planner whose system neither the spec nor the live
	// release uses is not called, so that system may be down.
	Uses(app *jobspec.App) bool
	// PlanResources returns one Change per object of the app in that system (None when in sync), including
	// objects to delete.
	PlanResources(ctx context.Context, app *jobspec.App) ([]*Change, error)
	// ApplyResources creates and updates the objects app needs and removes none.
	ApplyResources(ctx context.Context, app *jobspec.App) error
	// PruneResources removes the app's objects that app no longer needs.
	PruneResources(ctx context.Context, app *jobspec.App) error
	// DestroyResources removes every object of the app from the system. It is safe to call again after a
	// partial failure.
	DestroyResources(ctx context.Context, namespace, app string) error
}

// Pinner is implemented by a ResourcePlanner whose objects are versioned and pinned by each release (config
// values in Vault KV v2): the compiled jobs read exactly the pinned versions, so a changed value is a job change
// that rolls out like code, and a rollback re-registers the old jobs — which read the old versions — instead of
// writing values again (Rollback skips ApplyResources and PruneResources of a Pinner).
type Pinner interface {
	// PinnedVersions returns, keyed by the path the compiled templates read, the version a release compiled
	// from app reads: the live version when app's values are unchanged, else the version ApplyResources will
	// write next. It is exact only while the caller holds the app's deploy lock.
	PinnedVersions(ctx context.Context, app *jobspec.App) (map[string]int, error)
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
