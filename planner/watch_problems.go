package planner

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	consulapi "github.com/hashicorp/consul/api"
	nomadapi "github.com/hashicorp/nomad/api"
)

// problem is one cause of trouble an allocation reported.
type problem struct {
	group, alloc string
	// line says the cause in one line (`image "x:1" cannot be pulled: ...`, `task "web" exited with code 3`).
	line string
	// fatal marks causes that no restart fixes (the driver cannot start the task): the deploy fails at once.
	fatal bool
	// rank orders the causes of one allocation: the most telling one explains its failure.
	rank int
}

// checkGrace is how long a health check must stay critical before it is reported: checks of a starting
// task are critical until it listens.
const checkGrace = 3 * time.Second

// problemSet remembers, for one watched job version, the causes already reported (one event per distinct
// cause, not per allocation), the cause each allocation reported last and its critical checks.
type problemSet struct {
	emitted map[string]bool
	causes  map[string]problem     // by allocation ID
	checks  map[string]*checkTrack // by allocation ID + check ID
}

// checkTrack follows one check of one allocation.
type checkTrack struct {
	alloc, group, name, output string
	critical, passed           bool
	since                      time.Time // when it turned critical
}

func newProblemSet() *problemSet {
	return &problemSet{emitted: map[string]bool{}, causes: map[string]problem{}, checks: map[string]*checkTrack{}}
}

// observe reads the task events of allocs that happened since the version began (Unix nanoseconds) and the
// Consul checks of each allocation (by allocation ID; nil when unknown), emits each new distinct cause through
// emit, and returns the first fatal cause seen, or nil.
func (p *problemSet) observe(allocs []*nomadapi.AllocationListStub, checks map[string][]*consulapi.HealthCheck,
	since int64, emit func(problem)) *problem {
	var fatal *problem
	report := func(pr problem) {
		if prev, ok := p.causes[pr.alloc]; !ok || pr.rank >= prev.rank {
			p.causes[pr.alloc] = pr
		}
		key := pr.group + "\x00" + causeKey(pr.line)
		if !p.emitted[key] {
			p.emitted[key] = true
			emit(pr)
		}
		if pr.fatal && fatal == nil {
			fatal = &pr
		}
	}
	for _, a := range allocs {
		for _, task := range sortedTasks(a.TaskStates) {
			for _, pr := range taskProblems(task, a.TaskStates[task].Events, since) {
				pr.group, pr.alloc = a.TaskGroup, a.ID
				report(pr)
			}
		}
		if chks, ok := checks[a.ID]; ok && a.ClientStatus == nomadapi.AllocClientStatusRunning {
			for _, pr := range p.trackChecks(a, chks) {
				pr.group, pr.alloc = a.TaskGroup, a.ID
				report(pr)
			}
		}
	}
	return fatal
}

// trackChecks updates the checks of a and returns the ones critical for longer than checkGrace.
func (p *problemSet) trackChecks(a *nomadapi.AllocationListStub, chks []*consulapi.HealthCheck) []problem {
	var out []problem
	for _, c := range chks {
		key := a.ID + "/" + c.CheckID
		t := p.checks[key]
		if t == nil {
			t = &checkTrack{alloc: a.ID, group: a.TaskGroup, name: c.Name}
			p.checks[key] = t
		}
		critical := c.Status == consulapi.HealthCritical || c.Status == consulapi.HealthWarning
		if critical && !t.critical {
			t.since = time.Now()
		}
		t.critical, t.output = critical, oneLine(c.Output)
		t.passed = t.passed || c.Status == consulapi.HealthPassing
		if critical && time.Since(t.since) >= checkGrace {
			out = append(out, problem{line: t.line("fails"), rank: 2})
		}
	}
	return out
}

func (t *checkTrack) line(verb string) string {
	l := fmt.Sprintf("check %q %s", t.name, verb)
	if t.output != "" {
		l += ": " + t.output
	}
	return l
}

// criticalCheck returns the line of a critical check of the allocation, with its last output ("" when none
// is critical).
func (p *problemSet) criticalCheck(allocID string) string {
	keys := make([]string, 0, len(p.checks))
	for k := range p.checks {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if t := p.checks[k]; t.alloc == allocID && t.critical {
			if t.passed {
				return t.line("failed")
			}
			return t.line("never passed")
		}
	}
	return ""
}

// taskProblems turns the task events of one task since the version began into causes of trouble.
func taskProblems(task string, events []*nomadapi.TaskEvent, since int64) []problem {
	var out []problem
	killed := false
	for _, ev := range events {
		if ev.Time < since {
			continue
		}
		msg := oneLine(firstNonEmpty(ev.DisplayMessage, ev.Message, ev.Details["driver_error"]))
		switch ev.Type {
		case nomadapi.TaskKilling, nomadapi.TaskRestartSignal:
			killed = true // what follows was asked for (an update, a check_restart)
			if ev.Type == nomadapi.TaskRestartSignal {
				out = append(out, problem{line: fmt.Sprintf("task %q was restarted: %s", task, msg), rank: 2})
			}
		case nomadapi.TaskStarted:
			killed = false
		case nomadapi.TaskDriverFailure:
			out = append(out, problem{line: driverFailure(task, msg), fatal: true, rank: 3})
		case nomadapi.TaskFailedValidation:
			out = append(out, problem{line: fmt.Sprintf("task %q has an invalid configuration: %s", task, msg), fatal: true, rank: 3})
		case nomadapi.TaskSetupFailure:
			out = append(out, problem{line: fmt.Sprintf("task %q could not be set up: %s", task, msg), rank: 2})
		case nomadapi.TaskArtifactDownloadFailed:
			out = append(out, problem{line: fmt.Sprintf("task %q could not download its artifact: %s", task, msg), rank: 2})
		case nomadapi.TaskTerminated:
			if killed {
				continue
			}
			switch code := ev.Details["exit_code"]; {
			case ev.Details["oom_killed"] == "true":
				out = append(out, problem{line: fmt.Sprintf("task %q was killed for using more memory than it reserved (OOM)", task), rank: 2})
			case code != "" && code != "0":
				l := fmt.Sprintf("task %q exited with code %s", task, code)
				if m := oneLine(ev.Details["exit_message"]); m != "" && !strings.Contains(m, "exit code") {
					l += ": " + m
				}
				out = append(out, problem{line: l, rank: 2})
			case ev.Details["signal"] != "" && ev.Details["signal"] != "0":
				out = append(out, problem{line: fmt.Sprintf("task %q was killed by signal %s", task, ev.Details["signal"]), rank: 2})
			default:
				out = append(out, problem{line: fmt.Sprintf("task %q exited (code 0) although it should keep running", task), rank: 1})
			}
		case nomadapi.TaskNotRestarting:
			out = append(out, problem{line: fmt.Sprintf("task %q is not restarted again: %s", task, msg), rank: 1})
		}
	}
	return out
}

// driverFailure names the image of a docker pull failure ("Failed to pull `img`: err"), else the task.
func driverFailure(task, msg string) string {
	const pull = "Failed to pull `"
	if i := strings.Index(msg, pull); i >= 0 {
		rest := msg[i+len(pull):]
		if j := strings.Index(rest, "`"); j >= 0 {
			return fmt.Sprintf("image %q cannot be pulled: %s", rest[:j], strings.TrimPrefix(rest[j+1:], ": "))
		}
	}
	return fmt.Sprintf("task %q cannot be started: %s", task, msg)
}

var (
	addrPattern = regexp.MustCompile(`\b(\d{1,3}\.){3}\d{1,3}(:\d+)?\b|\[[0-9a-f:]+\](:\d+)?|localhost:\d+`)
	idPattern   = regexp.MustCompile(`\b[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}\b`)
	numPattern  = regexp.MustCompile(`\d+(\.\d+)?(ms|s|m|h)\b`)
)

// causeKey is line without what differs between allocations of the same cause: addresses, IDs, durations.
func causeKey(line string) string {
	line = addrPattern.ReplaceAllString(line, "ADDR")
	line = idPattern.ReplaceAllString(line, "ID")
	return numPattern.ReplaceAllString(line, "N")
}

// oneLine collapses whitespace (newlines included) and bounds the length of s.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 400 {
		s = string(r[:400]) + "…"
	}
	return s
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

func sortedTasks(states map[string]*nomadapi.TaskState) []string {
	out := make([]string, 0, len(states))
	for t := range states {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}
