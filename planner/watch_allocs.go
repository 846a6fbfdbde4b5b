package planner

import (
	"context"
	"fmt"
	"sort"
	"time"

	nomadapi "github.com/hashicorp/nomad/api"
)

// judgeAllocs judges a job version that has no deployment (system jobs, a version that changed no allocation)
// by its allocations, as a deployment would: healthy when every allocation of the version that should run is
// running with its Consul checks passing for the group's min_healthy_time; failed when one fails, when a
// cause no restart fixes appears, or when one is not healthy by the group's healthy_deadline. It follows the
// job's allocations with one blocking query at a time.
func (w *jobWatch) judgeAllocs(ctx context.Context) (string, error) {
	counts := groupCounts(w.job)
	services := groupServices(w.job)
	firstSeen := map[string]time.Time{}
	healthySince := map[string]time.Time{}
	var index uint64
	var retry backoff
	last := ""
	for {
		stubs, meta, err := w.s.Nomad.Jobs().Allocations(w.id, false, w.query(ctx, index, time.Second))
		if err != nil {
			if err := retry.wait(ctx, queryErr(ctx, "watching the allocations of "+w.id, err)); err != nil {
				return "", err
			}
			continue
		}
		retry.reset()
		index = nextIndex(index, meta.LastIndex)
		var mine []*nomadapi.AllocationListStub
		for _, a := range stubs {
			if a.JobVersion > w.version && a.DesiredStatus == nomadapi.AllocDesiredStatusRun {
				return "", &DeployError{Step: w.step(), Reason: fmt.Sprintf("job version %d replaced it before it was healthy", a.JobVersion)}
			}
			if a.JobVersion == w.version && a.DesiredStatus == nomadapi.AllocDesiredStatusRun {
				mine = append(mine, a)
			}
		}
		sort.Slice(mine, func(i, j int) bool { return mine[i].CreateIndex < mine[j].CreateIndex })
		checks, checkErr := w.allocChecks(ctx, mine)
		if fatal := w.problems.observe(mine, checks, w.since, w.emitProblem); fatal != nil {
			return "", w.allocsFailed(ctx, mine, fatal.line)
		}
		now := time.Now()
		progress := map[string]*GroupProgress{}
		for g, n := range counts {
			progress[g] = &GroupProgress{Group: g, Desired: n}
		}
		allHealthy := true
		for _, a := range mine {
			gp := progress[a.TaskGroup]
			if gp == nil {
				gp = &GroupProgress{Group: a.TaskGroup}
				progress[a.TaskGroup] = gp
			}
			if counts == nil {
				gp.Desired++
			}
			gp.Placed++
			if firstSeen[a.ID].IsZero() {
				firstSeen[a.ID] = now
			}
			minHealthy, deadline, useChecks := healthTiming(w.job, a.TaskGroup)
			if allocFailed(a) {
				return "", w.allocsFailed(ctx, mine, w.causeOf(a.ID, "allocation "+shortID(a.ID)+" failed"))
			}
			_, registered := checks[a.ID]
			ok := a.ClientStatus == nomadapi.AllocClientStatusRunning && tasksRunning(a) &&
				(!useChecks || (checkErr == nil && checksPass(services[a.TaskGroup], checks[a.ID], registered)))
			switch {
			case !ok:
				healthySince[a.ID] = time.Time{}
				allHealthy = false
				if now.Sub(firstSeen[a.ID]) > deadline {
					reason := fmt.Sprintf("allocation %s was not healthy within healthy_deadline %s", shortID(a.ID), deadline)
					if c := w.causeOf(a.ID, ""); c != "" {
						reason = fmt.Sprintf("%s (not healthy within healthy_deadline %s)", c, deadline)
					} else if checkErr != nil && useChecks {
						reason += "; its checks could not be read: " + oneLine(checkErr.Error())
					}
					return "", w.allocsFailed(ctx, mine, reason)
				}
			case healthySince[a.ID].IsZero():
				healthySince[a.ID], allHealthy = now, false
			case now.Sub(healthySince[a.ID]) < minHealthy:
				allHealthy = false
			default:
				gp.Healthy++
			}
		}
		groups := make([]GroupProgress, 0, len(progress))
		for _, gp := range progress {
			groups = append(groups, *gp)
			allHealthy = allHealthy && gp.Placed >= gp.Desired
		}
		sort.Slice(groups, func(i, j int) bool { return groups[i].Group < groups[j].Group })
		if line := fmt.Sprint(groups); line != last {
			last = line
			w.opts.emit(Event{Kind: EventProgress, Job: w.id, Message: fmt.Sprintf("version %d needs no deployment: watching its allocations", w.version), Groups: groups})
		}
		if allHealthy {
			msg := fmt.Sprintf("Job %s version %d is healthy (%s running, no deployment needed)", w.id, w.version, plural(len(mine), "allocation"))
			w.opts.emit(Event{Kind: EventStep, Job: w.id, Message: msg})
			return "", nil
		}
	}
}

// allocFailed reports whether the allocation failed or was lost, or one of its main tasks failed.
func allocFailed(a *nomadapi.AllocationListStub) bool {
	if a.ClientStatus == nomadapi.AllocClientStatusFailed || a.ClientStatus == nomadapi.AllocClientStatusLost {
		return true
	}
	for _, ts := range a.TaskStates {
		if ts.Failed {
			return true
		}
	}
	return false
}

// tasksRunning reports whether every task of a is running, except the ones that finished successfully
// (prestart and poststart tasks).
func tasksRunning(a *nomadapi.AllocationListStub) bool {
	for _, ts := range a.TaskStates {
		if ts.State != "running" && !(ts.State == "dead" && !ts.Failed) {
			return false
		}
	}
	return len(a.TaskStates) > 0
}

// causeOf returns the most telling cause allocation id reported: a critical check, else its task trouble,
// else fallback.
func (w *jobWatch) causeOf(id, fallback string) string {
	if c := w.problems.criticalCheck(id); c != "" {
		return c
	}
	if p, ok := w.problems.causes[id]; ok {
		return p.line
	}
	return fallback
}

// allocsFailed builds the DeployError of a job version without a deployment, from its failing allocations.
func (w *jobWatch) allocsFailed(ctx context.Context, allocs []*nomadapi.AllocationListStub, reason string) error {
	var failing []*nomadapi.AllocationListStub
	for _, a := range allocs {
		_, hasCause := w.problems.causes[a.ID]
		if allocFailed(a) || hasCause || w.problems.criticalCheck(a.ID) != "" {
			failing = append(failing, a)
		}
	}
	return &DeployError{Step: w.step(), Reason: reason, Allocs: w.s.failedAllocs(ctx, w.ns, failing, w.problems)}
}

// emitProblem reports a new cause of trouble as an EventProblem event.
func (w *jobWatch) emitProblem(p problem) {
	w.opts.emit(Event{Kind: EventProblem, Job: w.id, Group: p.group, Alloc: shortID(p.alloc), Message: p.line})
}
