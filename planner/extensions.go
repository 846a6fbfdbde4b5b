package planner

import "github.com/skiffpaas/skiff/planner/change"

// The plan vocabulary and the extension interfaces live in planner/change, a leaf package, so that catalog,
// edge and secrets can implement them without importing the planner (which imports them). Implementations must
// import planner/change, not planner. These aliases keep the planner's API in one place for its callers.

// Change is one object of desired state compared with live state.
type Change = change.Change

// DiffNode is one changed field or object of a Change.
type DiffNode = change.DiffNode

// Action is what applying a change does to one object.
type Action = change.Action

// ResourcePlanner plans and applies one system's slice of an app (Consul intentions, Fabio routes, Vault).
type ResourcePlanner = change.ResourcePlanner

// TrafficController steers traffic during deployments (Fabio canary weights).
type TrafficController = change.TrafficController

// DiagnosticsError is a spec problem found against live state, with source ranges.
type DiagnosticsError = change.DiagnosticsError

// The actions.
const (
	ActionCreate = change.Create
	ActionUpdate = change.Update
	ActionDelete = change.Delete
	ActionNone   = change.None
)

// Pinner is a ResourcePlanner whose versions each release pins (config values in Vault KV v2).
type Pinner = change.Pinner
