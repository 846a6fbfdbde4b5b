package planner

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"github.com/skiffpaas/skiff/planner/compile"
	"time"

	nomadapi "github.com/hashicorp/nomad/api"
)

// RunResult is the outcome of a one-off run.
type RunResult struct {
	JobID   string `json:"job"`
	AllocID string `json:"allocation"`
	// Status is the allocation's final client status ("complete", "failed", "lost", "timeout").
	Status string `json:"status"`
}

// Run starts a one-off run (StartRun), waits up to timeout for it to finish and returns how it ended; a run
// that times out is stopped.
func (s *Stack) Run(ctx context.Context, ns, app, process string, command []string, timeout time.Duration) (*RunResult, error) {
	id, err := s.StartRun(ctx, ns, app, process, command)
	if err != nil {
		return nil, err
	}
	status, alloc, err := s.WaitBatch(ctx, ns, id, timeout)
	if err != nil {
		return nil, err
	}
	if status == "timeout" {
		_, _, _ = s.Nomad.Jobs().Deregister(id, false, (&nomadapi.WriteOptions{Namespace: ns}).WithContext(ctx))
	}
	return &RunResult{JobID: id, AllocID: alloc, Status: status}, nil
}

// StartRun registers a one-off batch job that runs command with the image (or artifact), driver, env and
// resources of the app's process (its first web or worker process when process is "") and returns its job
// ID. The job is marked as a run: deploys never prune it, and Nomad's garbage collector removes it.
func (s *Stack) StartRun(ctx context.Context, ns, app, process string, command []string) (string, error) {
	return s.StartRunKeyed(ctx, ns, app, process, command, "")
}

// StartRunKeyed is StartRun with an idempotency key: the run's job ID derives from the key, and a retried start
// with the same key returns the run the first one started instead of starting another.
func (s *Stack) StartRunKeyed(ctx context.Context, ns, app, process string, command []string, key string) (string, error) {
	id := app + "-run-" + randomSuffix()
	if key != "" {
		sum := sha256.Sum256([]byte(ns + "/" + app + "/" + key))
		id = app + "-run-" + hex.EncodeToString(sum[:6])
		if _, _, err := s.Nomad.Jobs().Info(id, (&nomadapi.QueryOptions{Namespace: ns}).WithContext(ctx)); err == nil {
			return id, nil
		} else if !isNotFound(err) {
			return "", fmt.Errorf("reading run %q: %w", id, err)
		}
	}
	tmpl, err := s.templateTask(ctx, ns, app, process)
	if err != nil {
		return "", err
	}
	task := &nomadapi.Task{Name: "run", Driver: tmpl.Driver, Env: tmpl.Env, Resources: tmpl.Resources,
		Artifacts: tmpl.Artifacts, Vault: tmpl.Vault, Templates: tmpl.Templates, Config: map[string]interface{}{}}
	for k, v := range tmpl.Config {
		if k != "ports" && k != "command" && k != "args" {
			task.Config[k] = v
		}
	}
	if len(command) > 0 {
		task.Config["command"] = command[0]
		if len(command) > 1 {
			task.Config["args"] = command[1:]
		}
	}
	delete(task.Env, "PORT")
	job := nomadapi.NewBatchJob(id, id, "", 50)
	job.Namespace = &ns
	job.Datacenters = []string{"*"}
	job.Meta = map[string]string{compile.MetaManagedBy: compile.ManagedBy, compile.MetaApp: app, compile.MetaKind: compile.KindRun}
	g := nomadapi.NewTaskGroup("run", 1)
	g.RestartPolicy = &nomadapi.RestartPolicy{Attempts: ptr(0), Mode: ptr("fail")}
	g.ReschedulePolicy = &nomadapi.ReschedulePolicy{Attempts: ptr(0), Unlimited: ptr(false)}
	g.AddTask(task)
	job.AddTaskGroup(g)
	w := (&nomadapi.WriteOptions{Namespace: ns}).WithContext(ctx)
	if _, _, err := s.Nomad.Jobs().Register(job, w); err != nil {
		return "", fmt.Errorf("registering one-off job: %w", err)
	}
	return id, nil
}

// RunState is where a one-off run is: its allocation's client status ("pending", "running", "complete",
// "failed", "lost"), and once it ended the command's exit code and output.
type RunState struct {
	Job      string `json:"job"`
	Status   string `json:"status"`
	ExitCode *int   `json:"exit_code,omitempty"`
	Stdout   string `json:"stdout,omitempty"`
	Stderr   string `json:"stderr,omitempty"`
}

// RunStatus reads the state of the one-off run job (an ID StartRun returned for app).
func (s *Stack) RunStatus(ctx context.Context, ns, app, job string) (*RunState, error) {
	q := (&nomadapi.QueryOptions{Namespace: ns}).WithContext(ctx)
	j, _, err := s.Nomad.Jobs().Info(job, q)
	if err != nil || j.Meta[compile.MetaApp] != app || j.Meta[compile.MetaKind] != compile.KindRun {
		return nil, fmt.Errorf("app %q has no run %q: %w", app, job, ErrNotDeployed)
	}
	st := &RunState{Job: job, Status: "pending"}
	allocs, _, err := s.Nomad.Jobs().Allocations(job, true, q)
	if err != nil || len(allocs) == 0 {
		return st, err
	}
	a := allocs[len(allocs)-1]
	st.Status = a.ClientStatus
	if a.ClientStatus != nomadapi.AllocClientStatusComplete && a.ClientStatus != nomadapi.AllocClientStatusFailed {
		return st, nil
	}
	for _, ts := range a.TaskStates {
		for _, ev := range ts.Events {
			if ev.Type == nomadapi.TaskTerminated {
				code := ev.ExitCode
				st.ExitCode = &code
			}
		}
	}
	st.Stdout, st.Stderr, err = s.RunLogs(ctx, ns, a.ID)
	return st, err
}

// templateTask returns the live task of the named process, or of the app's first web/worker process.
func (s *Stack) templateTask(ctx context.Context, ns, app, process string) (*nomadapi.Task, error) {
	jobID, group := app, process
	if process != "" {
		ref, err := s.Process(ctx, ns, app, process)
		if err != nil {
			return nil, err
		}
		jobID, group = ref.JobID, ref.Group
	}
	job, _, err := s.Nomad.Jobs().Info(jobID, (&nomadapi.QueryOptions{Namespace: ns}).WithContext(ctx))
	if err != nil {
		return nil, fmt.Errorf("app %q has no service job to take the image and env from (name a process): %w", app, err)
	}
	for _, g := range job.TaskGroups {
		if (group == "" || *g.Name == group) && len(g.Tasks) > 0 {
			return g.Tasks[0], nil
		}
	}
	return nil, fmt.Errorf("job %q has no group %q", jobID, group)
}

// RunLogs returns the stdout and stderr of a finished one-off run.
func (s *Stack) RunLogs(ctx context.Context, ns, allocID string) (stdout, stderr string, err error) {
	a, _, err := s.Nomad.Allocations().Info(allocID, (&nomadapi.QueryOptions{Namespace: ns}).WithContext(ctx))
	if err != nil {
		return "", "", err
	}
	task := ""
	for t := range a.TaskStates {
		task = t
	}
	return s.readLogs(ctx, a, task, "stdout", 64*1024), s.readLogs(ctx, a, task, "stderr", 64*1024), nil
}

func randomSuffix() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func ptr[T any](v T) *T { return &v }
