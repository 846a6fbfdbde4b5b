package compile

import (
	"strconv"
	"time"

	nomadapi "github.com/hashicorp/nomad/api"

	"github.com/skiffpaas/skiff/catalog"
	"github.com/skiffpaas/skiff/edge"
	"github.com/skiffpaas/skiff/jobspec"
)

// group returns the task group of one process: its single task, ports, Consul service and checks, update and
// scaling policy, restart policy and volumes.
func (c *compiler) group(p *jobspec.Process) *nomadapi.TaskGroup {
	g := &nomadapi.TaskGroup{
		Name:        ptr(p.Name),
		Count:       ptr(c.count(p)),
		Meta:        map[string]string{MetaProcess: p.Name, MetaKind: string(p.Kind)},
		Constraints: constraints(p.Constraints),
		Tasks:       []*nomadapi.Task{c.task(p)},
	}
	for k, v := range p.Meta {
		g.Meta[k] = v
	}
	if len(p.Ports) > 0 {
		net := &nomadapi.NetworkResource{}
		for _, port := range p.Ports {
			np := nomadapi.Port{Label: port.Name}
			if p.Driver == "docker" {
				np.To = port.Number
			}
			net.DynamicPorts = append(net.DynamicPorts, np)
		}
		g.Networks = []*nomadapi.NetworkResource{net}
	}
	if p.Kind.IsService() {
		if svc := c.service(p); svc != nil {
			g.Services = []*nomadapi.Service{svc}
		}
		if p.ShutdownDelay > 0 {
			g.ShutdownDelay = durPtr(p.ShutdownDelay)
		}
		g.RestartPolicy = &nomadapi.RestartPolicy{Attempts: ptr(2), Interval: durPtr(30 * time.Minute),
			Delay: durPtr(15 * time.Second), Mode: ptr("fail")}
	} else {
		g.RestartPolicy = &nomadapi.RestartPolicy{Attempts: ptr(2), Interval: durPtr(24 * time.Hour),
			Delay: durPtr(10 * time.Second), Mode: ptr("fail")}
	}
	if p.Kind == jobspec.KindRelease {
		// A release task runs once: a failure fails the release instead of being retried behind its back.
		g.RestartPolicy = &nomadapi.RestartPolicy{Attempts: ptr(0), Mode: ptr("fail")}
		g.ReschedulePolicy = &nomadapi.ReschedulePolicy{Attempts: ptr(0), Unlimited: ptr(false)}
	}
	if r := p.Rollout; r != nil && p.Kind.IsService() {
		g.Update = c.update(p, r)
	}
	if a := p.Autoscale; a != nil {
		g.Scaling = scaling(a)
	}
	for _, v := range p.Volumes {
		if g.Volumes == nil {
			g.Volumes = map[string]*nomadapi.VolumeRequest{}
		}
		g.Volumes[v.Name] = &nomadapi.VolumeRequest{Name: v.Name, Type: v.Type, Source: v.Source, ReadOnly: v.ReadOnly}
	}
	c.connect(p, g)
	return g
}

// task returns the process's task: driver config, env (with PORT, as Heroku sets it), resources and mounts.
func (c *compiler) task(p *jobspec.Process) *nomadapi.Task {
	t := &nomadapi.Task{Name: p.Name, Driver: p.Driver, Config: map[string]interface{}{}}
	switch p.Driver {
	case "docker":
		t.Config["image"] = p.Image
		if len(p.Command) > 0 {
			t.Config["command"] = p.Command[0]
			if len(p.Command) > 1 {
				t.Config["args"] = append([]string{}, p.Command[1:]...)
			}
		}
		if len(p.Ports) > 0 {
			var labels []string
			for _, port := range p.Ports {
				labels = append(labels, port.Name)
			}
			t.Config["ports"] = labels
		}
	default:
		if len(p.Command) > 0 {
			t.Config["command"] = p.Command[0]
			if len(p.Command) > 1 {
				t.Config["args"] = append([]string{}, p.Command[1:]...)
			}
		}
		if p.Artifact != "" {
			t.Artifacts = []*nomadapi.TaskArtifact{{GetterSource: ptr(p.Artifact), RelativeDest: ptr("local/")}}
		}
	}
	env := p.EffectiveEnv(c.app)
	c.secretEnv(t, p, env)
	c.binds(t, p)
	env["SKIFF_APP"] = c.app.Name
	env["SKIFF_PROCESS"] = p.Name
	if port := p.PrimaryPort(); port != nil {
		if p.Driver == "docker" {
			env["PORT"] = strconv.Itoa(port.Number)
		} else {
			env["PORT"] = "${NOMAD_PORT_" + port.Name + "}"
		}
	}
	t.Env = env
	res := p.Resources
	t.Resources = &nomadapi.Resources{CPU: ptr(res.CPU), MemoryMB: ptr(res.Memory)}
	if res.MemoryMax > 0 {
		t.Resources.MemoryMaxMB = ptr(res.MemoryMax)
	}
	if p.Kind == jobspec.KindFunction {
		t.DispatchPayload = &nomadapi.DispatchPayloadConfig{File: "payload"}
	}
	for _, v := range p.Volumes {
		t.VolumeMounts = append(t.VolumeMounts, &nomadapi.VolumeMount{Volume: ptr(v.Name),
			Destination: ptr(v.Destination), ReadOnly: ptr(v.ReadOnly)})
	}
	return t
}

// service returns the Consul service of a service process, registered by Nomad; nil without a port.
func (c *compiler) service(p *jobspec.Process) *nomadapi.Service {
	port := p.PrimaryPort()
	if port == nil {
		return nil
	}
	svc := &nomadapi.Service{
		Name:      catalog.ServiceName(c.app.Name, c.app.Namespace, p.Name),
		PortLabel: port.Name,
		Provider:  "consul",
		Meta: map[string]string{ServiceMetaApp: c.app.Name, ServiceMetaProcess: p.Name,
			ServiceMetaNamespace: c.app.Namespace},
	}
	if p.Kind == jobspec.KindWeb {
		svc.Tags = edge.Tags(p.Routes)
		svc.CanaryTags, svc.CanaryMeta = edge.CanaryTags(p), edge.CanaryMeta(p, svc.Meta)
	}
	if h := p.Health; h != nil {
		chk := nomadapi.ServiceCheck{Name: p.Name + "-" + h.Type, Type: h.Type, Path: h.Path,
			PortLabel: h.Port, Interval: h.Interval, Timeout: h.Timeout}
		if h.Type == "grpc" {
			chk.GRPCUseTLS = false
		}
		if cr := h.CheckRestart; cr != nil {
			chk.CheckRestart = &nomadapi.CheckRestart{Limit: cr.Limit, Grace: durPtr(cr.Grace)}
		}
		svc.Checks = []nomadapi.ServiceCheck{chk}
	}
	return svc
}

// update maps a rollout block to Nomad's update strategy.
func (c *compiler) update(p *jobspec.Process, r *jobspec.Rollout) *nomadapi.UpdateStrategy {
	u := &nomadapi.UpdateStrategy{
		MaxParallel:      ptr(r.MaxParallel),
		Canary:           ptr(r.Canary),
		AutoPromote:      ptr(r.AutoPromote),
		AutoRevert:       ptr(r.AutoRevert),
		MinHealthyTime:   durPtr(r.MinHealthyTime),
		HealthyDeadline:  durPtr(r.HealthyDeadline),
		ProgressDeadline: durPtr(r.ProgressDeadline),
		HealthCheck:      ptr("checks"),
	}
	if p.Health == nil {
		u.HealthCheck = ptr("task_states")
	}
	if p.Kind == jobspec.KindSystem {
		// System jobs have no canaries and no auto-promotion.
		u.Canary, u.AutoPromote = nil, nil
	}
	return u
}
