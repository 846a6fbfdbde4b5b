package readmodel

import (
	"sort"
	"time"

	nomadapi "github.com/hashicorp/nomad/api"
)

// AppRef names one app: the Nomad namespace it runs in and its skiff name.
type AppRef struct {
	Namespace string
	App       string
}

// AppView is a copy of what the model knows about one app, at Index. The caller owns it.
type AppView struct {
	Namespace string
	App       string
	// Index is the Nomad index the model had applied when the view was taken.
	Index uint64
	// Jobs are sorted by ID; dispatched and periodic children are listed too, with ParentID set.
	Jobs []JobView
}

// Job returns the job with the given ID, or nil (also on a nil view).
func (v *AppView) Job(id string) *JobView {
	if v == nil {
		return nil
	}
	for i := range v.Jobs {
		if v.Jobs[i].ID == id {
			return &v.Jobs[i]
		}
	}
	return nil
}

// JobView is one Nomad job of an app.
type JobView struct {
	ID       string
	ParentID string // the parameterized or periodic parent of a child job; empty otherwise
	Type     string // service, batch, system, sysbatch
	Kind     string // skiff's process kind (compile.MetaKind); empty on jobs without it
	Version  uint64
	Status   string // pending, running, dead
	Stop     bool
	// ModifyIndex is the Nomad index of the last change of the job itself.
	ModifyIndex uint64
	// Groups are in the job's order, followed (sorted by name) by groups that only allocations of an older
	// version still have, with Desired 0.
	Groups []GroupView
	// Deployment is the job's latest deployment, or nil when it has none.
	Deployment *DeploymentView
}

// GroupView is one task group of a job: its desired count and its allocations.
type GroupView struct {
	Name    string
	Desired int
	Allocs  AllocCounts
}

// AllocCounts counts a group's allocations (of every version of the job) by client status, and by deployment
// health: Healthy counts running allocations marked healthy, Unhealthy pending or running ones marked unhealthy.
type AllocCounts struct {
	Pending, Running, Complete, Failed, Lost, Unknown int
	Healthy, Unhealthy                                int
}

// DeploymentView is a job's latest deployment.
type DeploymentView struct {
	ID          string
	JobVersion  uint64
	Status      string // running, paused, successful, failed, cancelled, ...
	Description string
	ModifyIndex uint64
	Groups      []DeploymentGroup // sorted by name
}

// DeploymentGroup is the progress of one task group in a deployment, as Nomad's deployment watcher counts it.
type DeploymentGroup struct {
	Name            string
	Desired         int
	Placed          int
	Healthy         int
	Unhealthy       int
	DesiredCanaries int
	PlacedCanaries  int
	Promoted        bool
	AutoRevert      bool
	// RequireProgressBy is when the group must next make progress; zero when no deadline is running.
	RequireProgressBy time.Time
}

// view builds the JobView of j. It must be called with the model's lock held; the result shares nothing with j.
func (j *job) view() JobView {
	v := JobView{ID: j.id, ParentID: j.parentID, Type: j.typ, Kind: j.kind, Version: j.version, Status: j.status,
		Stop: j.stop, ModifyIndex: j.modifyIndex}
	pos := make(map[string]int, len(j.groups))
	for _, g := range j.groups {
		pos[g.name] = len(v.Groups)
		v.Groups = append(v.Groups, GroupView{Name: g.name, Desired: g.count})
	}
	var extra []string
	for _, a := range j.allocs {
		if _, ok := pos[a.group]; !ok {
			pos[a.group] = -1
			extra = append(extra, a.group)
		}
	}
	sort.Strings(extra)
	for _, name := range extra {
		pos[name] = len(v.Groups)
		v.Groups = append(v.Groups, GroupView{Name: name})
	}
	for _, a := range j.allocs {
		a.count(&v.Groups[pos[a.group]].Allocs)
	}
	if j.deploy != nil {
		d := *j.deploy
		d.Groups = append([]DeploymentGroup(nil), j.deploy.Groups...)
		v.Deployment = &d
	}
	return v
}

// count adds a to c.
func (a *alloc) count(c *AllocCounts) {
	switch a.clientStatus {
	case nomadapi.AllocClientStatusPending:
		c.Pending++
	case nomadapi.AllocClientStatusRunning:
		c.Running++
	case nomadapi.AllocClientStatusComplete:
		c.Complete++
	case nomadapi.AllocClientStatusFailed:
		c.Failed++
	case nomadapi.AllocClientStatusLost:
		c.Lost++
	default:
		c.Unknown++
	}
	live := a.clientStatus == nomadapi.AllocClientStatusPending || a.clientStatus == nomadapi.AllocClientStatusRunning
	switch {
	case a.healthy == nil:
	case *a.healthy && a.clientStatus == nomadapi.AllocClientStatusRunning:
		c.Healthy++
	case !*a.healthy && live:
		c.Unhealthy++
	}
}

// deploymentView converts a Nomad deployment.
func deploymentView(d *nomadapi.Deployment) *DeploymentView {
	v := &DeploymentView{ID: d.ID, JobVersion: d.JobVersion, Status: d.Status, Description: d.StatusDescription,
		ModifyIndex: d.ModifyIndex}
	for name, s := range d.TaskGroups {
		if s == nil {
			continue
		}
		g := DeploymentGroup{Name: name, Desired: s.DesiredTotal, Placed: s.PlacedAllocs, Healthy: s.HealthyAllocs,
			Unhealthy: s.UnhealthyAllocs, DesiredCanaries: s.DesiredCanaries, PlacedCanaries: len(s.PlacedCanaries),
			Promoted: s.Promoted, AutoRevert: s.AutoRevert, RequireProgressBy: s.RequireProgressBy}
		v.Groups = append(v.Groups, g)
	}
	sort.Slice(v.Groups, func(a, b int) bool { return v.Groups[a].Name < v.Groups[b].Name })
	return v
}
