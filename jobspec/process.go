package jobspec

import (
	"time"

	"github.com/hashicorp/hcl/v2"
)

// ProcessKind says how a process runs; it is the block type that declared it.
type ProcessKind string

// The process kinds.
const (
	// KindWeb is a long-running service reached through routes (a Nomad service job group routed by Fabio).
	KindWeb ProcessKind = "web"
	// KindWorker is a long-running service without routes.
	KindWorker ProcessKind = "worker"
	// KindCron is a periodic batch job.
	KindCron ProcessKind = "cron"
	// KindFunction is an on-demand (parameterized, dispatched) batch job.
	KindFunction ProcessKind = "function"
	// KindRelease is a batch job run once per release; it gates the rollout of the other processes.
	KindRelease ProcessKind = "release"
	// KindSystem is a service with one instance on every eligible node (a Nomad system job).
	KindSystem ProcessKind = "system"
)

// ProcessKinds lists every kind in the order the CLI reports them.
func ProcessKinds() []ProcessKind {
	return []ProcessKind{KindWeb, KindWorker, KindCron, KindFunction, KindRelease, KindSystem}
}

// IsService reports whether processes of kind k run continuously (web, worker, system).
func (k ProcessKind) IsService() bool {
	return k == KindWeb || k == KindWorker || k == KindSystem
}

// Process is one process of an app. Kind-specific fields are zero for other kinds.
type Process struct {
	// Kind is the process kind; Name its DNS-safe name, unique across all kinds of the app.
	Kind ProcessKind `json:"kind"`
	Name string      `json:"name"`
	// Image, Artifact and Driver are effective: inherited from the app unless the process sets its own.
	Image    string `json:"image,omitempty"`
	Artifact string `json:"artifact,omitempty"`
	Driver   string `json:"driver"`
	// Command is the command line run in the task (empty: the image's default).
	Command []string `json:"command,omitempty"`
	// Env holds the process's own environment variables (merge with App.Env, the process wins: see EffectiveEnv).
	Env map[string]string `json:"env,omitempty"`
	// Meta holds the process's own metadata.
	Meta map[string]string `json:"meta,omitempty"`
	// Count is the number of instances (web, worker, cron, function); 1 for release, 0 for system.
	Count int `json:"count"`
	// Ports lists the process's ports; the primary port (from port = N) comes first.
	Ports []*Port `json:"ports,omitempty"`
	// Routes lists the HTTP routes of a web process.
	Routes []*Route `json:"routes,omitempty"`
	// Health is the health check of a service process, or nil when it has no port to check.
	Health *Health `json:"health,omitempty"`
	// Resources holds the resources of each instance; never nil.
	Resources *Resources `json:"resources"`
	// Rollout holds update settings of service processes; nil for batch processes.
	Rollout *Rollout `json:"rollout,omitempty"`
	// Autoscale holds the autoscaling policy, or nil.
	Autoscale *Autoscale `json:"autoscale,omitempty"`
	// ShutdownDelay is the time between deregistration and the kill signal (service processes).
	ShutdownDelay time.Duration `json:"shutdown_delay"`
	// Volumes lists mounted volumes.
	Volumes []*Volume `json:"volumes,omitempty"`
	// Constraints restrict placement of this process in addition to the app's.
	Constraints []*Constraint `json:"constraints,omitempty"`
	// Schedule (cron expression), TimeZone and ProhibitOverlap apply to cron processes.
	Schedule        string `json:"schedule,omitempty"`
	TimeZone        string `json:"time_zone,omitempty"`
	ProhibitOverlap bool   `json:"prohibit_overlap,omitempty"`
	// Payload ("required", "optional" or "forbidden"), MetaRequired and MetaOptional apply to functions.
	Payload      string   `json:"payload,omitempty"`
	MetaRequired []string `json:"meta_required,omitempty"`
	MetaOptional []string `json:"meta_optional,omitempty"`
	// Timeout bounds a release process's run; the rollout is aborted when it is exceeded.
	Timeout time.Duration `json:"timeout,omitempty"`
	// Patch is the process-level escape hatch, or nil.
	Patch *Patch `json:"patch,omitempty"`

	// DeclRange is the block header; NameRange its label; the others point at their arguments when set
	// (the DeclRange otherwise).
	DeclRange     hcl.Range            `json:"-"`
	NameRange     hcl.Range            `json:"-"`
	CountRange    hcl.Range            `json:"-"`
	ScheduleRange hcl.Range            `json:"-"`
	EnvRanges     map[string]hcl.Range `json:"-"`
	MetaRanges    map[string]hcl.Range `json:"-"`
}

// Port is a named port of a process.
type Port struct {
	// Name is the port label ("http" for the primary port of a web process, "main" for other kinds' primary
	// port, the key of ports = { ... } otherwise); Number the port the process listens on.
	Name   string `json:"name"`
	Number int    `json:"number"`
	// Range is the source of the port's declaration.
	Range hcl.Range `json:"-"`
}

// PrimaryPort returns the process's first port, or nil.
func (p *Process) PrimaryPort() *Port {
	if len(p.Ports) == 0 {
		return nil
	}
	return p.Ports[0]
}

// EffectiveEnv returns the app's env overlaid with the process's own env, as a new map.
func (p *Process) EffectiveEnv(app *App) map[string]string {
	out := map[string]string{}
	for k, v := range app.Env {
		out[k] = v
	}
	for k, v := range p.Env {
		out[k] = v
	}
	return out
}

// processInput is a decoded process block before normalization: nil pointers mean "not set".
type processInput struct {
	Kind                                 ProcessKind
	Name                                 string
	DeclRange, NameRange                 hcl.Range
	Image, Artifact, Driver              *string
	ImageRange, ArtifactRange            hcl.Range
	DriverRange                          hcl.Range
	Command                              []string
	Env, Meta                            map[string]string
	EnvRanges, MetaRanges                map[string]hcl.Range
	Count                                *int
	CountRange                           hcl.Range
	Ports                                []*Port
	Routes                               []*routeInput
	Health                               *healthInput
	Resources                            *resourcesInput
	Rollout                              *rolloutInput
	Autoscale                            *autoscaleInput
	ShutdownDelay                        *time.Duration
	ShutdownDelayRange                   hcl.Range
	Volumes                              []*volumeInput
	Constraints                          []*constraintInput
	Schedule, TimeZone                   *string
	ScheduleRange, TimeZoneRange         hcl.Range
	ProhibitOverlap                      *bool
	Payload                              *string
	PayloadRange                         hcl.Range
	MetaRequired, MetaOptional           []string
	MetaRequiredRange, MetaOptionalRange hcl.Range
	Timeout                              *time.Duration
	TimeoutRange                         hcl.Range
	Patch                                *Patch
}

var processBlockSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "image"}, {Name: "artifact"}, {Name: "driver"},
		{Name: "command"}, {Name: "env"}, {Name: "meta"},
		{Name: "count"}, {Name: "port"}, {Name: "ports"},
		{Name: "shutdown_delay"},
		{Name: "schedule"}, {Name: "time_zone"}, {Name: "prohibit_overlap"},
		{Name: "payload"}, {Name: "meta_required"}, {Name: "meta_optional"},
		{Name: "timeout"},
	},
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "route"},
		{Type: "health"},
		{Type: "resources"},
		{Type: "rollout"},
		{Type: "autoscale"},
		{Type: "volume", LabelNames: []string{"name"}},
		{Type: "constraint"},
		{Type: "patch"},
	},
}
