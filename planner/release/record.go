// Package release keeps an app's releases in Consul KV: a record per release with its state (like Heroku's
// releases), a snapshot of what the release deployed (so that a rollback restores code, config, routes,
// intentions and Vault objects together), the app's deploy lock, and the formation (`skiff scale` counts).
//
// Layout under skiff/apps/<namespace>/<app>/:
//
//	skiff/heads/<namespace>/<app>   {"latest": N, "live": M, "latest_state": S}: the newest record, its state
//	                                and the release the app runs (one key per app under one prefix, so that
//	                                one read lists every app)
//	releases/<N>       the Record of release N (small: listing the history never reads a snapshot)
//	snapshots/<N>      the gzipped Snapshot of release N (kept for the last KeepSnapshots releases)
//	lock               the deploy lock (a Consul session lock)
//	scale              the formation
//
// Records are written before anything changes and updated with check-and-set as the apply goes on, so a
// process that dies mid-deploy leaves a record any later process can resolve from Nomad's state.
package release

import (
	"time"
)

// State is where a release is in its life: pending → deploying → succeeded | failed | superseded.
type State string

// The states of a release.
const (
	// Pending: recorded, nothing changed yet.
	Pending State = "pending"
	// Deploying: the apply started (release tasks, registration, watch); Nomad may still be rolling it out.
	Deploying State = "deploying"
	// Succeeded: every job of the release is healthy; it is (or was) the app's live release.
	Succeeded State = "succeeded"
	// Failed: a step failed; every job of the app was returned to the previous live release.
	Failed State = "failed"
	// Superseded: a later release replaced it before it finished.
	Superseded State = "superseded"
)

// The phases of a deploying release, in order.
const (
	PhaseResources    = "resources"
	PhaseReleaseTasks = "release-tasks"
	PhaseRegister     = "register"
	PhaseWatch        = "watch"
	PhasePrune        = "prune"
)

// Final reports whether no process will change a release in this state again.
func (s State) Final() bool { return s == Succeeded || s == Failed || s == Superseded }

// Record is one release of an app.
type Record struct {
	App       string `json:"app"`
	Namespace string `json:"namespace"`
	Number    int    `json:"number"`
	State     State  `json:"state"`
	// Description says what made the release ("deploy", "rollback to release 3").
	Description string `json:"description"`
	// SpecHash is the hash of the spec the release deployed (jobspec.App.SpecHash).
	SpecHash  string    `json:"spec_hash"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// CreatedBy names who made the release (a user, or a token's name).
	CreatedBy string `json:"created_by,omitempty"`
	// Plan lists the changes the release applies, one line each ("~ nomad_job shop").
	Plan []string `json:"plan,omitempty"`
	// Jobs maps every job of the release to the Nomad job version it runs (unchanged jobs keep theirs).
	Jobs map[string]uint64 `json:"jobs,omitempty"`
	// Registered lists the jobs this release registered (the others were unchanged).
	Registered []string `json:"registered,omitempty"`
	// Deployments maps a job to the Nomad deployment of its new version.
	Deployments map[string]string `json:"deployments,omitempty"`
	// ReleaseTasks maps a release job to the child job dispatched for this release (exactly one per release).
	ReleaseTasks map[string]string `json:"release_tasks,omitempty"`
	// SecretVersions are the Vault KV v2 versions of config values the release's templates read.
	SecretVersions map[string]int `json:"secret_versions,omitempty"`
	// Systems lists the systems the release has objects in besides Nomad ("consul", "vault", "fabio").
	Systems []string `json:"systems,omitempty"`
	// Phase is the step a deploying release is in (PhaseResources, PhaseReleaseTasks, PhaseRegister,
	// PhaseWatch, PhasePrune); a process that dies leaves it, and resolution reads it.
	Phase string `json:"phase,omitempty"`
	// IdempotencyKey is the key of the API request that made the release (Idempotency-Key), if any.
	IdempotencyKey string `json:"idempotency_key,omitempty"`
	// Detached is set when the deploy returned without watching the deployments.
	Detached bool `json:"detached,omitempty"`
	// Reason says why the release failed or was superseded.
	Reason string `json:"reason,omitempty"`

	// modifyIndex is the Consul index the record was read at, for check-and-set.
	modifyIndex uint64
}

// Uses reports whether the release has objects in system.
func (r *Record) Uses(system string) bool {
	if r == nil {
		return false
	}
	for _, s := range r.Systems {
		if s == system {
			return true
		}
	}
	return false
}

// Head points at an app's newest record and at the release the app runs.
type Head struct {
	// Latest is the number of the newest record (0: none).
	Latest int `json:"latest"`
	// Live is the newest succeeded release (0: none), the one a failed release returns to.
	Live int `json:"live"`
	// LatestState is the state of release Latest.
	LatestState State `json:"latest_state,omitempty"`

	modifyIndex uint64
}

// public returns the head without its read index, for comparisons.
func (h *Head) public() *Head {
	return &Head{Latest: h.Latest, Live: h.Live, LatestState: h.LatestState}
}
