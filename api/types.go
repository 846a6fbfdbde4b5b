package api

import (
	"fmt"
	"strconv"
	"time"
)

// These types mirror the JSON of the server's bodies (server.*, planner.*, release.Record): the client does not
// import the server, which would drag gin, huma and the Nomad, Consul and Vault clients into every program
// that uses it. api's tests compare every type here with the server's OpenAPI document.

// Spec is a spec as the CLI reads it: the text of skiff.hcl, var files and -var values. The server reads no
// file system, so file() and templatefile() are refused.
type Spec struct {
	// Source is the text of skiff.hcl. Required.
	Source string `json:"spec"`
	// Filename is the spec's name in diagnostics (default skiff.hcl).
	Filename string `json:"filename,omitempty"`
	// VarFiles are applied in order, then Vars (later wins), like -var-file and -var.
	VarFiles []VarFile         `json:"var_files,omitempty"`
	Vars     map[string]string `json:"vars,omitempty"`
}

// VarFile is one var file sent with a spec.
type VarFile struct {
	// Name is the file's name in diagnostics; a name ending in .json is read as JSON.
	Name    string `json:"name"`
	Content string `json:"content"`
}

// Diagnostic is one problem in a spec, with where it is.
type Diagnostic struct {
	// Severity is "error" or "warning".
	Severity string `json:"severity"`
	Summary  string `json:"summary"`
	Detail   string `json:"detail,omitempty"`
	// Range is where the problem is; nil when the server did not know.
	Range *Range `json:"range,omitempty"`
	// Snippet is the source line the range starts on, when the server had the text.
	Snippet string `json:"snippet,omitempty"`
}

// String renders the diagnostic as the CLI does: file:line:col: Summary: Detail.
func (d Diagnostic) String() string {
	msg := d.Summary
	if d.Detail != "" {
		msg += ": " + d.Detail
	}
	if d.Range == nil {
		return msg
	}
	return fmt.Sprintf("%s:%d:%d: %s", d.Range.Filename, d.Range.Start.Line, d.Range.Start.Column, msg)
}

// Range is a source range.
type Range struct {
	Filename string `json:"filename"`
	Start    Pos    `json:"start"`
	End      Pos    `json:"end"`
}

// Pos is a source position: 1-based line and column (in characters), 0-based byte offset.
type Pos struct {
	Line   int `json:"line"`
	Column int `json:"column"`
	Byte   int `json:"byte"`
}

// PlanResult is the answer of a plan: the diff and the spec's warnings.
type PlanResult struct {
	Plan     *Plan        `json:"plan"`
	Warnings []Diagnostic `json:"warnings,omitempty"`
}

// Plan is the difference between an app's spec and the live stack.
type Plan struct {
	App       string `json:"app"`
	Namespace string `json:"namespace"`
	// Release is the live release (0: never deployed); deploying this plan records release Next.
	Release int `json:"release"`
	Next    int `json:"next_release"`
	// Changes lists every object, changed or not, in apply order; prunes come last.
	Changes []*Change `json:"changes"`
	// Warnings are the compiler's remarks.
	Warnings []string `json:"warnings,omitempty"`
}

// HasChanges reports whether deploying the plan would change anything.
func (p *Plan) HasChanges() bool {
	for _, c := range p.Changes {
		if c.Action != ActionNone {
			return true
		}
	}
	return false
}

// Actions of a Change or DiffNode.
const (
	// ActionCreate: the object is new (+).
	ActionCreate = "create"
	// ActionUpdate: the object changes in place (~).
	ActionUpdate = "update"
	// ActionDelete: the object goes away (-).
	ActionDelete = "delete"
	// ActionNone: the object is in sync.
	ActionNone = "none"
)

// Change is one object (a Nomad job, a Consul intention, a Fabio route, ...) of desired state compared with
// live state.
type Change struct {
	Resource  string `json:"resource"`
	Name      string `json:"name"`
	Namespace string `json:"namespace,omitempty"`
	// Action is ActionCreate, ActionUpdate, ActionDelete or ActionNone.
	Action string `json:"action"`
	// Diff is the field-level difference; empty for create and delete.
	Diff  []*DiffNode `json:"diff,omitempty"`
	Notes []string    `json:"notes,omitempty"`
}

// DiffNode is one changed field (Old, New) or object (Children). Secret values never appear.
type DiffNode struct {
	Action   string      `json:"action"`
	Name     string      `json:"name"`
	Old      string      `json:"old,omitempty"`
	New      string      `json:"new,omitempty"`
	Children []*DiffNode `json:"children,omitempty"`
}

// States of a release (and of a deployment): pending → deploying → succeeded | failed | superseded.
const (
	// StatePending: recorded, nothing changed yet.
	StatePending = "pending"
	// StateDeploying: the apply runs, or Nomad still rolls it out, or it waits for promotion.
	StateDeploying = "deploying"
	// StateSucceeded: every job of the release is healthy; it is (or was) the live release.
	StateSucceeded = "succeeded"
	// StateFailed: a step failed; the app's jobs were returned to the previous live release.
	StateFailed = "failed"
	// StateSuperseded: a later release replaced it before it finished.
	StateSuperseded = "superseded"
)

// Final reports whether a release in state will not change again.
func Final(state string) bool {
	return state == StateSucceeded || state == StateFailed || state == StateSuperseded
}

// Release is one release of an app, as its record in Consul holds it.
type Release struct {
	App       string `json:"app"`
	Namespace string `json:"namespace"`
	Number    int    `json:"number"`
	State     string `json:"state"`
	// Description says what made the release ("deploy", "rollback to release 3").
	Description string    `json:"description"`
	SpecHash    string    `json:"spec_hash"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
	CreatedBy   string    `json:"created_by,omitempty"`
	// Plan lists the changes the release applies, one line each ("~ nomad_job shop").
	Plan []string `json:"plan,omitempty"`
	// Jobs maps every job of the release to the Nomad job version it runs.
	Jobs map[string]uint64 `json:"jobs,omitempty"`
	// Registered lists the jobs this release registered.
	Registered []string `json:"registered,omitempty"`
	// Deployments maps a job to the Nomad deployment of its new version.
	Deployments map[string]string `json:"deployments,omitempty"`
	// ReleaseTasks maps a release job to the child job dispatched for this release.
	ReleaseTasks map[string]string `json:"release_tasks,omitempty"`
	// SecretVersions are the Vault KV v2 versions of config values the release reads.
	SecretVersions map[string]int `json:"secret_versions,omitempty"`
	// Systems lists the systems the release has objects in besides Nomad.
	Systems []string `json:"systems,omitempty"`
	// Phase is the step a deploying release is in.
	Phase          string `json:"phase,omitempty"`
	IdempotencyKey string `json:"idempotency_key,omitempty"`
	Detached       bool   `json:"detached,omitempty"`
	// Reason says why the release failed or was superseded.
	Reason string `json:"reason,omitempty"`
}

// Deployment is a deploy or a rollback: its release, state and progress.
type Deployment struct {
	// ID is the release number, as a string.
	ID        string `json:"id"`
	Namespace string `json:"namespace"`
	App       string `json:"app"`
	// State is the release's state (StatePending ... StateSuperseded).
	State   string   `json:"state"`
	Reason  string   `json:"reason,omitempty"`
	Release *Release `json:"release"`
	// Groups is the latest per-group progress the server saw (empty after a restart of the server).
	Groups []GroupProgress `json:"groups,omitempty"`
	// EventsURL is the path of the deployment's event stream.
	EventsURL string `json:"events_url"`
}

// Number returns the deployment's release number (0 when ID is not a number).
func (d *Deployment) Number() int {
	n, _ := strconv.Atoi(d.ID)
	return n
}

// GroupProgress is one task group's state in a deployment.
type GroupProgress struct {
	Group           string `json:"group"`
	Desired         int    `json:"desired"`
	Placed          int    `json:"placed"`
	Healthy         int    `json:"healthy"`
	Unhealthy       int    `json:"unhealthy"`
	DesiredCanaries int    `json:"desired_canaries,omitempty"`
	Promoted        bool   `json:"promoted,omitempty"`
}
