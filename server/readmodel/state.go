package readmodel

import (
	nomadapi "github.com/hashicorp/nomad/api"

	"github.com/skiffpaas/skiff/planner/compile"
)

// jobKey identifies a Nomad job.
type jobKey struct{ ns, id string }

// job is the model's record of one managed job. Records are owned by the state and only touched under the
// model's lock; views copy out of them.
type job struct {
	ns, id, parentID  string
	app, kind         string
	typ, status       string
	version           uint64
	stop              bool
	modifyIndex       uint64
	groups            []group
	allocs            map[string]*alloc
	deploy            *DeploymentView
	deployCreateIndex uint64
	deployModifyIndex uint64
}

// group is a task group of a job's current version.
type group struct {
	name  string
	count int
}

// alloc is what the model keeps of an allocation.
type alloc struct {
	group        string
	clientStatus string
	healthy      *bool
	modifyIndex  uint64
}

// state is the model's content: every managed job, indexed by key and by app.
type state struct {
	jobs map[jobKey]*job
	apps map[AppRef]map[string]*job
	// floor holds, per topic, the table index of the last full read: events at or below it are already in.
	floor map[nomadapi.Topic]uint64
	// maxObject is the largest ModifyIndex of any object applied; a full read whose tables are all older
	// means Nomad's indexes went backwards (a new cluster at the same address).
	maxObject uint64
}

func newState() *state {
	return &state{jobs: map[jobKey]*job{}, apps: map[AppRef]map[string]*job{}, floor: map[nomadapi.Topic]uint64{}}
}

// newJob converts a Nomad job into a record without allocations or deployment. It returns nil when the job is
// not managed by skiff: neither its meta says so nor is its parent a managed job of s.
func (s *state) newJob(j *nomadapi.Job) *job {
	if j == nil || j.ID == nil {
		return nil
	}
	r := &job{ns: namespaceOf(str(j.Namespace)), id: *j.ID, parentID: str(j.ParentID), typ: str(j.Type),
		status: str(j.Status)}
	if j.Meta[compile.MetaManagedBy] == compile.ManagedBy && j.Meta[compile.MetaApp] != "" {
		r.app = j.Meta[compile.MetaApp]
	} else if p := s.jobs[jobKey{r.ns, r.parentID}]; r.parentID != "" && p != nil {
		r.app = p.app
	} else {
		return nil
	}
	r.kind = j.Meta[compile.MetaKind]
	if j.Version != nil {
		r.version = *j.Version
	}
	if j.Stop != nil {
		r.stop = *j.Stop
	}
	if j.ModifyIndex != nil {
		r.modifyIndex = *j.ModifyIndex
	}
	for _, tg := range j.TaskGroups {
		if tg == nil || tg.Name == nil {
			continue
		}
		g := group{name: *tg.Name}
		if tg.Count != nil {
			g.count = *tg.Count
		}
		r.groups = append(r.groups, g)
	}
	return r
}

// putJob inserts r or replaces an older record of the same job, keeping its allocations and deployment. It
// reports the apps it touched; nothing when the model already has a newer record.
func (s *state) putJob(r *job) []AppRef {
	key := jobKey{r.ns, r.id}
	old := s.jobs[key]
	if old != nil && r.modifyIndex < old.modifyIndex {
		return nil
	}
	s.seen(r.modifyIndex)
	ref := AppRef{r.ns, r.app}
	touched := []AppRef{ref}
	if old != nil {
		r.allocs, r.deploy = old.allocs, old.deploy
		r.deployCreateIndex, r.deployModifyIndex = old.deployCreateIndex, old.deployModifyIndex
		if old.app != r.app {
			touched = append(touched, s.dropFromApp(old))
		}
	}
	if r.allocs == nil {
		r.allocs = map[string]*alloc{}
	}
	s.jobs[key] = r
	if s.apps[ref] == nil {
		s.apps[ref] = map[string]*job{}
	}
	s.apps[ref][r.id] = r
	return touched
}

// removeJob forgets a job with its allocations and deployment, unless the model's record is newer than index.
func (s *state) removeJob(key jobKey, index uint64) []AppRef {
	old := s.jobs[key]
	if old == nil || old.modifyIndex > index {
		return nil
	}
	delete(s.jobs, key)
	return []AppRef{s.dropFromApp(old)}
}

// dropFromApp removes r from its app's set, and the app when that was its last job.
func (s *state) dropFromApp(r *job) AppRef {
	ref := AppRef{r.ns, r.app}
	delete(s.apps[ref], r.id)
	if len(s.apps[ref]) == 0 {
		delete(s.apps, ref)
	}
	return ref
}

// putAlloc records an allocation of a managed job; allocations of other jobs and stale copies are ignored.
func (s *state) putAlloc(ns, jobID, id string, a *alloc) []AppRef {
	r := s.jobs[jobKey{ns, jobID}]
	if r == nil {
		return nil
	}
	if old := r.allocs[id]; old != nil && a.modifyIndex < old.modifyIndex {
		return nil
	}
	s.seen(a.modifyIndex)
	r.allocs[id] = a
	return []AppRef{{r.ns, r.app}}
}

// putDeployment records d if it is the latest deployment of a managed job.
func (s *state) putDeployment(d *nomadapi.Deployment) []AppRef {
	r := s.jobs[jobKey{namespaceOf(d.Namespace), d.JobID}]
	if r == nil {
		return nil
	}
	if r.deploy != nil {
		if d.ID == r.deploy.ID && d.ModifyIndex < r.deployModifyIndex {
			return nil
		}
		if d.ID != r.deploy.ID && d.CreateIndex < r.deployCreateIndex {
			return nil
		}
	}
	s.seen(d.ModifyIndex)
	r.deploy, r.deployCreateIndex, r.deployModifyIndex = deploymentView(d), d.CreateIndex, d.ModifyIndex
	return []AppRef{{r.ns, r.app}}
}

func (s *state) seen(index uint64) {
	if index > s.maxObject {
		s.maxObject = index
	}
}

func allocFrom(group, clientStatus string, ds *nomadapi.AllocDeploymentStatus, modifyIndex uint64) *alloc {
	a := &alloc{group: group, clientStatus: clientStatus, modifyIndex: modifyIndex}
	if ds != nil && ds.Healthy != nil {
		h := *ds.Healthy
		a.healthy = &h
	}
	return a
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
