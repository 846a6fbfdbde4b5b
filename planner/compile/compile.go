package compile

import (
	"fmt"
	"strings"
	"time"

	nomadapi "github.com/hashicorp/nomad/api"

	"github.com/skiffpaas/skiff/jobspec"
	"github.com/skiffpaas/skiff/secrets"
)

// CompileOptions are the inputs of Compile that do not come from the spec.
type CompileOptions struct {
	// Counts overrides the counts of web and worker processes, keyed by process name: from `skiff scale`
	// (which persists across deploys, like Heroku's formation) and, for autoscaled processes, the live count
	// the autoscaler chose. Counts are clamped to the autoscale bounds.
	Counts map[string]int
	// SecretsMount is the Vault KV v2 mount that sensitive env vars are read from (default "secret").
	SecretsMount string
	// SecretVersions pins the KV v2 version each process's config template reads, keyed by secrets.ConfigPath
	// (change.Pinner's PinnedVersions). A path without a version reads the latest (offline renders).
	SecretVersions map[string]int
	// Offerings holds the catalog offering of each bind, keyed by offering name. A bind whose offering is
	// missing makes Compile fail.
	Offerings map[string]*secrets.Offering
	// Connect configures the Consul Connect mesh (see ConnectOptions).
	Connect ConnectOptions
}

// Desired is the Nomad side of an app's desired state.
type Desired struct {
	// App is the compiled spec.
	App *jobspec.App
	// Namespace is the Nomad namespace of every job.
	Namespace string
	// Jobs are the long-lived jobs (service, system, periodic, parameterized), in registration order.
	Jobs []*nomadapi.Job
	// ReleaseJobs are the batch jobs of release processes, run in order before Jobs are registered.
	ReleaseJobs []*nomadapi.Job
	// Warnings name parts of the spec this version of skiff does not deploy yet.
	Warnings []string
}

// AllJobs returns ReleaseJobs followed by Jobs.
func (d *Desired) AllJobs() []*nomadapi.Job {
	return append(append([]*nomadapi.Job{}, d.ReleaseJobs...), d.Jobs...)
}

// Compile maps app to Nomad jobs. It does not talk to any server. The error reports a patch that does not apply.
func Compile(app *jobspec.App, opts CompileOptions) (*Desired, error) {
	d := &Desired{App: app, Namespace: app.Namespace}
	c := &compiler{app: app, opts: opts}
	if c.opts.SecretsMount == "" {
		c.opts.SecretsMount = secrets.DefaultMount
	}
	for _, b := range app.Binds {
		if c.opts.Offerings[b.Offering] == nil {
			return nil, fmt.Errorf("bind %q: offering %q is not in the offerings catalog", b.Name, b.Offering)
		}
	}
	for _, p := range app.Processes {
		if bad := secrets.Unsupported(app, p); len(bad) > 0 {
			return nil, fmt.Errorf("sensitive values at %s would be written into the Nomad job of %s %q: only env "+
				"values can be sensitive (they are kept in Vault and rendered at run time)", strings.Join(bad, ", "), p.Kind, p.Name)
		}
	}

	var serviceGroups []*nomadapi.TaskGroup
	var serviceProcs []*jobspec.Process
	for _, p := range app.Processes {
		switch p.Kind {
		case jobspec.KindWeb, jobspec.KindWorker:
			serviceGroups = append(serviceGroups, c.group(p))
			serviceProcs = append(serviceProcs, p)
		}
	}
	if len(serviceGroups) > 0 {
		job := c.job(app.Name, nomadapi.JobTypeService, KindService, "")
		job.TaskGroups = serviceGroups
		if err := c.patchJob(job, serviceProcs...); err != nil {
			return nil, err
		}
		d.Jobs = append(d.Jobs, job)
	}
	for _, p := range app.Processes {
		var job *nomadapi.Job
		switch p.Kind {
		case jobspec.KindSystem:
			job = c.job(JobID(app.Name, p.Name), nomadapi.JobTypeSystem, KindSystem, p.Name)
		case jobspec.KindCron:
			job = c.job(JobID(app.Name, p.Name), nomadapi.JobTypeBatch, KindCron, p.Name)
			job.Periodic = &nomadapi.PeriodicConfig{
				Enabled:         ptr(true),
				Specs:           []string{p.Schedule},
				SpecType:        ptr(nomadapi.PeriodicSpecCron),
				ProhibitOverlap: ptr(p.ProhibitOverlap),
				TimeZone:        ptr(orDefault(p.TimeZone, "UTC")),
			}
		case jobspec.KindFunction:
			job = c.job(JobID(app.Name, p.Name), nomadapi.JobTypeBatch, KindFunction, p.Name)
			job.ParameterizedJob = &nomadapi.ParameterizedJobConfig{
				Payload:      orDefault(p.Payload, "optional"),
				MetaRequired: p.MetaRequired,
				MetaOptional: p.MetaOptional,
			}
		case jobspec.KindRelease:
			// Parameterized so that each release dispatches one fresh run, whatever changed or not.
			job = c.job(JobID(app.Name, p.Name), nomadapi.JobTypeBatch, KindRelease, p.Name)
			job.ParameterizedJob = &nomadapi.ParameterizedJobConfig{Payload: "forbidden"}
		default:
			continue
		}
		job.TaskGroups = []*nomadapi.TaskGroup{c.group(p)}
		if err := c.patchJob(job, p); err != nil {
			return nil, err
		}
		if p.Kind == jobspec.KindRelease {
			d.ReleaseJobs = append(d.ReleaseJobs, job)
		} else {
			d.Jobs = append(d.Jobs, job)
		}
	}
	return d, nil
}

// JobID returns the Nomad job ID of a process that runs as its own job ("<app>-<process>"). Web and worker
// processes share the job whose ID is the app name.
func JobID(app, process string) string { return app + "-" + process }

type compiler struct {
	app  *jobspec.App
	opts CompileOptions
}

// job returns a job skeleton with skiff's identity meta.
func (c *compiler) job(id, typ, kind, process string) *nomadapi.Job {
	meta := map[string]string{}
	for k, v := range c.app.Meta {
		meta[k] = v
	}
	meta[MetaManagedBy] = ManagedBy
	meta[MetaApp] = c.app.Name
	meta[MetaKind] = kind
	if process != "" {
		meta[MetaProcess] = process
	}
	return &nomadapi.Job{
		ID:          ptr(id),
		Name:        ptr(id),
		Namespace:   ptr(c.app.Namespace),
		Type:        ptr(typ),
		Datacenters: append([]string{}, c.app.Datacenters...),
		Meta:        meta,
		Constraints: constraints(c.app.Constraints),
	}
}

// count returns the instance count of p, honouring the overrides of web and worker processes (`skiff scale`,
// or the count the autoscaler set), kept within the autoscale bounds so that Nomad accepts the job.
func (c *compiler) count(p *jobspec.Process) int {
	if n, ok := c.opts.Counts[p.Name]; ok && (p.Kind == jobspec.KindWeb || p.Kind == jobspec.KindWorker) {
		if a := p.Autoscale; a != nil {
			n = max(a.Min, min(a.Max, n))
		}
		return n
	}
	if p.Kind == jobspec.KindSystem {
		return 1
	}
	return p.Count
}

func constraints(cs []*jobspec.Constraint) []*nomadapi.Constraint {
	var out []*nomadapi.Constraint
	for _, c := range cs {
		out = append(out, &nomadapi.Constraint{LTarget: c.Attribute, Operand: c.Operator, RTarget: c.Value})
	}
	return out
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func ptr[T any](v T) *T { return &v }

func durPtr(d time.Duration) *time.Duration { return &d }
