package jobspec

import (
	"strings"
	"time"
)

// The defaults applied by normalizeApp. docs/spec.md documents each of them; keep the two in step.
const (
	defaultNamespace        = "default"
	defaultDatacenter       = "*"
	defaultCount            = 1
	defaultCPU              = 100 // MHz
	defaultMemory           = 256 // MB
	defaultWebShutdownDelay = 5 * time.Second
	defaultHealthInterval   = 10 * time.Second
	defaultHealthTimeout    = 2 * time.Second
	// minCheckDuration is the shortest interval and timeout Nomad accepts for a Consul check.
	minCheckDuration        = time.Second
	defaultRestartLimit     = 3
	defaultRestartGrace     = 10 * time.Second
	defaultMaxParallel      = 1
	defaultCanaryWeight     = 10 // percent of the routed traffic while canaries are unpromoted
	defaultMinHealthyTime   = 10 * time.Second
	defaultHealthyDeadline  = 5 * time.Minute
	defaultProgressDeadline = 10 * time.Minute
	defaultTimeZone         = "UTC"
	defaultPayload          = "optional"
	defaultReleaseTimeout   = 10 * time.Minute
	defaultRoutePath        = "/"
	defaultRedirectCode     = 301
	defaultVolumeType       = "host"
	defaultOperator         = "="
)

// normalizeApp applies every default to the decoded input, in place. It is the only place defaults are set.
func normalizeApp(in *appInput) {
	setStr(&in.Namespace, defaultNamespace)
	if in.Datacenters == nil {
		in.Datacenters = []string{defaultDatacenter}
	}
	if in.Driver == nil && in.Artifact != nil && in.Image == nil {
		setStr(&in.Driver, "exec")
	}
	setStr(&in.Driver, "docker")
	for _, c := range in.Constraints {
		normalizeConstraint(c)
	}
	for _, p := range in.Processes {
		normalizeProcess(in, p)
	}
	for _, b := range in.Binds {
		setStr(&b.EnvPrefix, strings.ToUpper(strings.ReplaceAll(b.Name, "-", "_")))
	}
	for _, u := range in.Upstreams {
		setStr(&u.Destination, u.Name)
		setStr(&u.Datacenter, "")
	}
}

// normalizeProcess applies the process defaults, inheriting image, artifact and driver from the app.
func normalizeProcess(app *appInput, p *processInput) {
	if p.Image == nil && p.Artifact == nil {
		p.Image, p.Artifact = app.Image, app.Artifact
		p.ImageRange, p.ArtifactRange = app.ImageRange, app.ArtifactRange
		if p.Driver == nil {
			p.Driver = app.Driver
		}
	}
	if p.Driver == nil && p.Artifact != nil && p.Image == nil {
		setStr(&p.Driver, "exec")
	}
	setStr(&p.Driver, "docker")
	switch p.Kind {
	case KindSystem:
		setInt(&p.Count, 0)
	default:
		setInt(&p.Count, defaultCount)
	}
	if p.Resources == nil {
		p.Resources = &resourcesInput{DeclRange: p.DeclRange}
	}
	setInt(&p.Resources.CPU, defaultCPU)
	setInt(&p.Resources.Memory, defaultMemory)
	setInt(&p.Resources.MemoryMax, 0)
	for _, r := range p.Routes {
		setStr(&r.Host, "")
		setStr(&r.Path, defaultRoutePath)
		setBool(&r.Strip, false)
		setBool(&r.HTTPSOnly, false)
		if r.Redirect != nil {
			setInt(&r.RedirectCode, defaultRedirectCode)
		}
		setInt(&r.RedirectCode, 0)
	}
	for _, c := range p.Constraints {
		normalizeConstraint(c)
	}
	for _, v := range p.Volumes {
		setStr(&v.Type, defaultVolumeType)
		setStr(&v.Source, v.Name)
		setBool(&v.ReadOnly, false)
	}
	if !p.Kind.IsService() {
		normalizeBatch(p)
		return
	}
	delay := time.Duration(0)
	if p.Kind == KindWeb {
		delay = defaultWebShutdownDelay
	}
	setDur(&p.ShutdownDelay, delay)
	if p.Health == nil && len(p.Ports) > 0 {
		p.Health = &healthInput{DeclRange: p.DeclRange}
	}
	if h := p.Health; h != nil {
		if h.Type == nil {
			t := "tcp"
			if h.Path != nil {
				t = "http"
			}
			h.Type = &t
		}
		if *h.Type == "http" {
			setStr(&h.Path, "/")
		}
		setStr(&h.Path, "")
		if len(p.Ports) > 0 {
			setStr(&h.Port, p.Ports[0].Name)
		}
		setStr(&h.Port, "")
		setDur(&h.Interval, defaultHealthInterval)
		timeout := defaultHealthTimeout
		if *h.Interval <= timeout {
			timeout = *h.Interval / 2
		}
		if timeout < minCheckDuration {
			timeout = minCheckDuration
		}
		setDur(&h.Timeout, timeout)
		if h.CheckRestart {
			setInt(&h.RestartLimit, defaultRestartLimit)
			setDur(&h.RestartGrace, defaultRestartGrace)
		}
	}
	if p.Rollout == nil {
		p.Rollout = &rolloutInput{DeclRange: p.DeclRange}
	}
	r := p.Rollout
	if r.Canary == nil && r.Strategy != nil && *r.Strategy == "canary" {
		setInt(&r.Canary, 1)
	}
	setInt(&r.Canary, 0)
	if *r.Canary > 0 {
		setStr(&r.Strategy, "canary")
	}
	setStr(&r.Strategy, "rolling")
	if p.Kind == KindWeb && *r.Canary > 0 {
		setInt(&r.CanaryWeight, defaultCanaryWeight)
	}
	setInt(&r.CanaryWeight, 0)
	setInt(&r.MaxParallel, defaultMaxParallel)
	setBool(&r.AutoPromote, false)
	setBool(&r.AutoRevert, false)
	setDur(&r.MinHealthyTime, defaultMinHealthyTime)
	setDur(&r.HealthyDeadline, defaultHealthyDeadline)
	setDur(&r.Progress, defaultProgressDeadline)
	if a := p.Autoscale; a != nil {
		setInt(&a.Min, 1)
		setInt(&a.Max, 0)
		setInt(&a.CPU, 0)
		setInt(&a.Mem, 0)
	}
}

// normalizeBatch applies the defaults of cron, function and release processes.
func normalizeBatch(p *processInput) {
	switch p.Kind {
	case KindCron:
		setStr(&p.TimeZone, defaultTimeZone)
		setBool(&p.ProhibitOverlap, true)
		setStr(&p.Schedule, "")
	case KindFunction:
		setStr(&p.Payload, defaultPayload)
	case KindRelease:
		setDur(&p.Timeout, defaultReleaseTimeout)
	}
}

func normalizeConstraint(c *constraintInput) {
	setStr(&c.Operator, defaultOperator)
	setStr(&c.Attribute, "")
	setStr(&c.Value, "")
	if a := *c.Attribute; a != "" && !strings.HasPrefix(a, "${") {
		wrapped := "${" + a + "}"
		c.Attribute = &wrapped
	}
}

func setStr(p **string, v string) {
	if *p == nil {
		*p = &v
	}
}

func setInt(p **int, v int) {
	if *p == nil {
		*p = &v
	}
}

func setBool(p **bool, v bool) {
	if *p == nil {
		*p = &v
	}
}

func setDur(p **time.Duration, v time.Duration) {
	if *p == nil {
		*p = &v
	}
}
