package compile_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	nomadapi "github.com/hashicorp/nomad/api"

	"github.com/skiffpaas/skiff/jobspec"
	"github.com/skiffpaas/skiff/planner/compile"
)

// sensitiveSpec has one web process with a sensitive env var (from a sensitive variable's default).
const sensitiveSpec = `variable "key" {
  type      = string
  sensitive = true
  default   = "k-1"
}
app "a" {
  image = "a:1"
  env   = { API_KEY = var.key, MODE = "plain" }
  web "web" { port = 8080 }
}`

// compileCase is one spec and what its compiled jobs must hold.
type compileCase struct {
	name string
	src  string
	opts compile.CompileOptions
	// wantErr, when set, is part of the error Compile must return (check is not called).
	wantErr string
	check   func(t *testing.T, app *jobspec.App, d *compile.Desired)
}

// TestCompile checks the mapping of each spec construct to Nomad, one construct per case.
func TestCompile(t *testing.T) {
	for _, tc := range compileCases() {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			app, diags := jobspec.Parse(tc.name+".hcl", []byte(tc.src), nil)
			if diags.HasErrors() {
				t.Fatalf("spec does not parse: %s", diags.Error())
			}
			if tc.opts.Offerings == nil {
				tc.opts.Offerings = testOfferings
			}
			d, err := compile.Compile(app, tc.opts)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("Compile error %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Compile: %v", err)
			}
			tc.check(t, app, d)
		})
	}
}

func compileCases() []compileCase {
	return []compileCase{
		{
			name: "web and worker share one service job",
			src: `app "shop" {
  image = "shop:1"
  web "api" {
    port  = 8080
    count = 3
  }
  worker "mailer" { count = 2 }
  web "admin" { port = 9000 }
}`,
			check: func(t *testing.T, _ *jobspec.App, d *compile.Desired) {
				eq(t, "job IDs", jobIDs(d.AllJobs()), []string{"shop"})
				j := job(t, d, "shop")
				eq(t, "type", *j.Type, nomadapi.JobTypeService)
				eq(t, "name", *j.Name, "shop")
				var names []string
				var counts []int
				for _, g := range j.TaskGroups {
					names = append(names, *g.Name)
					counts = append(counts, *g.Count)
					eq(t, *g.Name+" tasks", len(g.Tasks), 1)
					eq(t, *g.Name+" task name", g.Tasks[0].Name, *g.Name)
				}
				eq(t, "groups", names, []string{"api", "mailer", "admin"})
				eq(t, "counts", counts, []int{3, 2, 1})
				eq(t, "meta kind", j.Meta[compile.MetaKind], compile.KindService)
				_, hasProcess := j.Meta[compile.MetaProcess]
				eq(t, "job meta has process", hasProcess, false)
			},
		},
		{
			name: "cron is a periodic batch job",
			src: `app "news" {
  image = "news:1"
  cron "digest" {
    schedule  = "0 6 * * *"
    time_zone = "Europe/Berlin"
  }
  cron "cleanup" {
    schedule         = "@hourly"
    prohibit_overlap = false
  }
}`,
			check: func(t *testing.T, _ *jobspec.App, d *compile.Desired) {
				eq(t, "job IDs", jobIDs(d.AllJobs()), []string{"news-digest", "news-cleanup"})
				j := job(t, d, "news-digest")
				eq(t, "type", *j.Type, nomadapi.JobTypeBatch)
				p := j.Periodic
				if p == nil {
					t.Fatal("no periodic block")
				}
				eq(t, "enabled", *p.Enabled, true)
				eq(t, "specs", p.Specs, []string{"0 6 * * *"})
				eq(t, "spec type", *p.SpecType, nomadapi.PeriodicSpecCron)
				eq(t, "time zone", *p.TimeZone, "Europe/Berlin")
				eq(t, "prohibit overlap", *p.ProhibitOverlap, true)
				eq(t, "parameterized", j.ParameterizedJob == nil, true)
				c := job(t, d, "news-cleanup").Periodic
				eq(t, "default time zone", *c.TimeZone, "UTC")
				eq(t, "prohibit overlap off", *c.ProhibitOverlap, false)
				eq(t, "no service", len(j.TaskGroups[0].Services), 0)
				eq(t, "no update", j.TaskGroups[0].Update == nil, true)
			},
		},
		{
			name: "function is a parameterized batch job with a payload file",
			src: `app "img" {
  image = "img:1"
  function "resize" {
    payload       = "required"
    meta_required = ["image_id"]
    meta_optional = ["width", "height"]
  }
  function "ping" {}
}`,
			check: func(t *testing.T, _ *jobspec.App, d *compile.Desired) {
				j := job(t, d, "img-resize")
				eq(t, "type", *j.Type, nomadapi.JobTypeBatch)
				eq(t, "parameterized", j.ParameterizedJob, &nomadapi.ParameterizedJobConfig{
					Payload: "required", MetaRequired: []string{"image_id"}, MetaOptional: []string{"width", "height"}})
				eq(t, "dispatch payload", j.TaskGroups[0].Tasks[0].DispatchPayload,
					&nomadapi.DispatchPayloadConfig{File: "payload"})
				eq(t, "periodic", j.Periodic == nil, true)
				eq(t, "meta kind", j.Meta[compile.MetaKind], compile.KindFunction)
				eq(t, "default payload", job(t, d, "img-ping").ParameterizedJob.Payload, "optional")
			},
		},
		{
			name: "release is a parameterized batch job run once, before the others",
			src: `app "shop" {
  image = "shop:1"
  web "api" { port = 8080 }
  release "migrate" { command = ["/shop", "migrate"] }
}`,
			check: func(t *testing.T, _ *jobspec.App, d *compile.Desired) {
				eq(t, "release jobs", jobIDs(d.ReleaseJobs), []string{"shop-migrate"})
				eq(t, "jobs", jobIDs(d.Jobs), []string{"shop"})
				eq(t, "all jobs", jobIDs(d.AllJobs()), []string{"shop-migrate", "shop"})
				j := job(t, d, "shop-migrate")
				eq(t, "type", *j.Type, nomadapi.JobTypeBatch)
				eq(t, "payload", j.ParameterizedJob.Payload, "forbidden")
				g := j.TaskGroups[0]
				eq(t, "count", *g.Count, 1)
				eq(t, "restart attempts", *g.RestartPolicy.Attempts, 0)
				eq(t, "restart mode", *g.RestartPolicy.Mode, "fail")
				eq(t, "reschedule attempts", *g.ReschedulePolicy.Attempts, 0)
				eq(t, "reschedule unlimited", *g.ReschedulePolicy.Unlimited, false)
				eq(t, "no dispatch payload", g.Tasks[0].DispatchPayload == nil, true)
				eq(t, "meta kind", j.Meta[compile.MetaKind], compile.KindRelease)
			},
		},
		{
			name: "system is a system job",
			src: `app "logs" {
  image = "logs:1"
  system "shipper" {
    port = 9000
  }
}`,
			check: func(t *testing.T, _ *jobspec.App, d *compile.Desired) {
				j := job(t, d, "logs-shipper")
				eq(t, "type", *j.Type, nomadapi.JobTypeSystem)
				g := j.TaskGroups[0]
				eq(t, "count", *g.Count, 1)
				eq(t, "services", len(g.Services), 1)
				eq(t, "canary", g.Update.Canary == nil, true)
				eq(t, "auto promote", g.Update.AutoPromote == nil, true)
				eq(t, "meta kind", j.Meta[compile.MetaKind], compile.KindSystem)
			},
		},
		{
			name: "docker ports are mapped and PORT is the container port",
			src: `app "web" {
  image = "web:1"
  web "api" {
    command = ["/web", "serve", "--fast"]
    port    = 8080
    ports   = { metrics = 9102 }
  }
}`,
			check: func(t *testing.T, _ *jobspec.App, d *compile.Desired) {
				g := group(t, job(t, d, "web"), "api")
				eq(t, "networks", len(g.Networks), 1)
				eq(t, "dynamic ports", g.Networks[0].DynamicPorts,
					[]nomadapi.Port{{Label: "http", To: 8080}, {Label: "metrics", To: 9102}})
				task := g.Tasks[0]
				eq(t, "driver", task.Driver, "docker")
				eq(t, "config", task.Config, map[string]interface{}{
					"image": "web:1", "command": "/web", "args": []string{"serve", "--fast"},
					"ports": []string{"http", "metrics"}})
				eq(t, "PORT", task.Env["PORT"], "8080")
				eq(t, "SKIFF_APP", task.Env["SKIFF_APP"], "web")
				eq(t, "SKIFF_PROCESS", task.Env["SKIFF_PROCESS"], "api")
				svc := g.Services[0]
				eq(t, "service port", svc.PortLabel, "http")
				eq(t, "service name", svc.Name, "api-web-default")
			},
		},
		{
			name: "exec with an artifact",
			src: `app "tools" {
  artifact = "https://files.example.com/tools.tar.gz"
  worker "sync" {
    command = ["local/tools", "sync"]
    port    = 7000
  }
}`,
			check: func(t *testing.T, _ *jobspec.App, d *compile.Desired) {
				g := group(t, job(t, d, "tools"), "sync")
				task := g.Tasks[0]
				eq(t, "driver", task.Driver, "exec")
				eq(t, "config", task.Config, map[string]interface{}{"command": "local/tools", "args": []string{"sync"}})
				eq(t, "artifacts", len(task.Artifacts), 1)
				eq(t, "artifact source", *task.Artifacts[0].GetterSource, "https://files.example.com/tools.tar.gz")
				eq(t, "artifact destination", *task.Artifacts[0].RelativeDest, "local/")
				eq(t, "dynamic ports", g.Networks[0].DynamicPorts, []nomadapi.Port{{Label: "main"}})
				eq(t, "PORT", task.Env["PORT"], "${NOMAD_PORT_main}")
			},
		},
		{
			name: "rollout becomes the update strategy",
			src: `app "a" {
  image = "a:1"
  web "web" {
    port = 8080
    health { path = "/healthz" }
    rollout {
      max_parallel      = 2
      canary            = 1
      auto_promote      = true
      auto_revert       = true
      min_healthy_time  = "20s"
      healthy_deadline  = "3m"
      progress_deadline = "8m"
    }
  }
  worker "w" {}
}`,
			check: func(t *testing.T, _ *jobspec.App, d *compile.Desired) {
				j := job(t, d, "a")
				eq(t, "web update", group(t, j, "web").Update, &nomadapi.UpdateStrategy{
					MaxParallel: ptr(2), Canary: ptr(1), AutoPromote: ptr(true), AutoRevert: ptr(true),
					MinHealthyTime: ptr(20 * time.Second), HealthyDeadline: ptr(3 * time.Minute),
					ProgressDeadline: ptr(8 * time.Minute), HealthCheck: ptr("checks")})
				w := group(t, j, "w").Update
				eq(t, "worker without checks", *w.HealthCheck, "task_states")
				eq(t, "worker defaults", []any{*w.MaxParallel, *w.Canary, *w.MinHealthyTime, *w.HealthyDeadline,
					*w.ProgressDeadline}, []any{1, 0, 10 * time.Second, 5 * time.Minute, 10 * time.Minute})
			},
		},
		{
			name: "autoscale becomes a scaling policy",
			src: `app "a" {
  image = "a:1"
  web "web" {
    port  = 8080
    count = 2
    autoscale {
      min    = 2
      max    = 8
      cpu    = 70
      memory = 80
    }
  }
}`,
			check: func(t *testing.T, _ *jobspec.App, d *compile.Desired) {
				s := group(t, job(t, d, "a"), "web").Scaling
				if s == nil {
					t.Fatal("no scaling policy")
				}
				eq(t, "min", *s.Min, int64(2))
				eq(t, "max", *s.Max, int64(8))
				eq(t, "enabled", *s.Enabled, true)
				eq(t, "cooldown", s.Policy["cooldown"], "1m")
				eq(t, "evaluation interval", s.Policy["evaluation_interval"], "10s")
				if s.Policy["check"] == nil {
					t.Error("policy has no check")
				}
			},
		},
		{
			name: "shutdown delay",
			src: `app "a" {
  image = "a:1"
  web "web" { port = 8080 }
  web "slow" {
    port           = 8081
    shutdown_delay = "30s"
  }
  worker "w" {}
  worker "drain" { shutdown_delay = "10s" }
}`,
			check: func(t *testing.T, _ *jobspec.App, d *compile.Desired) {
				j := job(t, d, "a")
				eq(t, "web default", *group(t, j, "web").ShutdownDelay, 5*time.Second)
				eq(t, "web explicit", *group(t, j, "slow").ShutdownDelay, 30*time.Second)
				eq(t, "worker default", group(t, j, "w").ShutdownDelay == nil, true)
				eq(t, "worker explicit", *group(t, j, "drain").ShutdownDelay, 10*time.Second)
			},
		},
		{
			name: "constraints on app and process",
			src: `app "a" {
  image = "a:1"
  constraint {
    attribute = "attr.kernel.name"
    value     = "linux"
  }
  web "web" {
    port = 8080
    constraint {
      attribute = "node.class"
      operator  = "!="
      value     = "edge"
    }
    constraint { operator = "distinct_hosts" }
  }
  cron "c" { schedule = "@daily" }
}`,
			check: func(t *testing.T, _ *jobspec.App, d *compile.Desired) {
				linux := []*nomadapi.Constraint{{LTarget: "${attr.kernel.name}", Operand: "=", RTarget: "linux"}}
				j := job(t, d, "a")
				eq(t, "service job", j.Constraints, linux)
				eq(t, "cron job", job(t, d, "a-c").Constraints, linux)
				eq(t, "web group", group(t, j, "web").Constraints, []*nomadapi.Constraint{
					{LTarget: "${node.class}", Operand: "!=", RTarget: "edge"},
					{LTarget: "", Operand: "distinct_hosts", RTarget: ""}})
				eq(t, "cron group", job(t, d, "a-c").TaskGroups[0].Constraints == nil, true)
			},
		},
		{
			name: "patches merge onto job, group and task, and null deletes",
			src: `app "a" {
  image = "a:1"
  patch {
    job   = { Priority = 70, Meta = { team = "x" } }
    group = { RestartPolicy = { Attempts = 5 } }
    task  = { KillTimeout = 30000000000 }
  }
  web "web" {
    port = 8080
    patch {
      job   = { Priority = 80 }
      group = { ShutdownDelay = null }
      task  = { KillTimeout = null, Leader = true }
    }
  }
  worker "w" {}
  cron "c" { schedule = "@daily" }
}`,
			check: func(t *testing.T, _ *jobspec.App, d *compile.Desired) {
				j := job(t, d, "a")
				eq(t, "process patch wins", *j.Priority, 80)
				eq(t, "job meta merged", j.Meta["team"], "x")
				eq(t, "skiff meta kept", j.Meta[compile.MetaManagedBy], compile.ManagedBy)
				web, w := group(t, j, "web"), group(t, j, "w")
				eq(t, "group merge keeps siblings", []any{*web.RestartPolicy.Attempts, *web.RestartPolicy.Mode,
					*web.RestartPolicy.Interval}, []any{5, "fail", 30 * time.Minute})
				eq(t, "group null deletes", web.ShutdownDelay == nil, true)
				eq(t, "task null deletes", web.Tasks[0].KillTimeout == nil, true)
				eq(t, "task merge", web.Tasks[0].Leader, true)
				eq(t, "app task patch on worker", *w.Tasks[0].KillTimeout, 30*time.Second)
				eq(t, "process patch stays in its group", w.Tasks[0].Leader, false)
				c := job(t, d, "a-c")
				eq(t, "app patch on cron job", *c.Priority, 70)
				eq(t, "app group patch on cron", *c.TaskGroups[0].RestartPolicy.Attempts, 5)
			},
		},
		{
			name: "counts override applies to web and worker only",
			src: `app "a" {
  image = "a:1"
  web "web" {
    port  = 8080
    count = 2
  }
  worker "w" {}
  worker "keep" { count = 4 }
  cron "c" {
    schedule = "@daily"
    count    = 1
  }
  function "f" {}
  system "s" {}
}`,
			opts: compile.CompileOptions{Counts: map[string]int{"web": 5, "w": 0, "c": 9, "f": 9, "s": 9}},
			check: func(t *testing.T, _ *jobspec.App, d *compile.Desired) {
				j := job(t, d, "a")
				eq(t, "web", *group(t, j, "web").Count, 5)
				eq(t, "worker scaled to zero", *group(t, j, "w").Count, 0)
				eq(t, "worker not in Counts", *group(t, j, "keep").Count, 4)
				eq(t, "cron", *job(t, d, "a-c").TaskGroups[0].Count, 1)
				eq(t, "function", *job(t, d, "a-f").TaskGroups[0].Count, 1)
				eq(t, "system", *job(t, d, "a-s").TaskGroups[0].Count, 1)
			},
		},
		{
			name: "meta identifies app and kind, never the release",
			src: `app "a" {
  namespace   = "team"
  datacenters = ["dc1"]
  image       = "a:1"
  meta        = { owner = "ops" }
  web "web" {
    port = 8080
    meta = { tier = "front" }
  }
  cron "c" { schedule = "@daily" }
}`,
			check: func(t *testing.T, app *jobspec.App, d *compile.Desired) {
				eq(t, "namespace", d.Namespace, "team")
				j := job(t, d, "a")
				eq(t, "service job meta", j.Meta, map[string]string{
					"owner": "ops", compile.MetaManagedBy: compile.ManagedBy, compile.MetaApp: "a", compile.MetaKind: compile.KindService})
				eq(t, "cron job meta", job(t, d, "a-c").Meta, map[string]string{
					"owner": "ops", compile.MetaManagedBy: compile.ManagedBy, compile.MetaApp: "a", compile.MetaKind: compile.KindCron,
					compile.MetaProcess: "c"})
				eq(t, "group meta", group(t, j, "web").Meta, map[string]string{
					compile.MetaProcess: "web", compile.MetaKind: "web", "tier": "front"})
				for _, jj := range d.AllJobs() {
					eq(t, *jj.ID+" namespace", *jj.Namespace, "team")
					eq(t, *jj.ID+" datacenters", jj.Datacenters, []string{"dc1"})
				}
				if len(app.SpecHash) != 64 {
					t.Errorf("spec hash %q is not a sha256", app.SpecHash)
				}
			},
		},
		{
			name: "health checks and routes on the service",
			src: `app "a" {
  image = "a:1"
  web "web" {
    port = 8080
    route {
      host = "a.example.com"
      path = "/api"
      strip = true
    }
    health {
      path     = "/ready"
      interval = "4s"
      check_restart {
        limit = 2
        grace = "20s"
      }
    }
  }
  worker "w" { port = 7000 }
  worker "quiet" {}
}`,
			check: func(t *testing.T, _ *jobspec.App, d *compile.Desired) {
				j := job(t, d, "a")
				svc := group(t, j, "web").Services[0]
				eq(t, "tags", svc.Tags, []string{"urlprefix-a.example.com/api strip=/api"})
				eq(t, "provider", svc.Provider, "consul")
				eq(t, "service meta", svc.Meta, map[string]string{compile.ServiceMetaApp: "a",
					compile.ServiceMetaProcess: "web", compile.ServiceMetaNamespace: "default"})
				c := svc.Checks[0]
				eq(t, "check", []any{c.Type, c.Path, c.PortLabel, c.Interval, c.Timeout},
					[]any{"http", "/ready", "http", 4 * time.Second, 2 * time.Second})
				eq(t, "check restart", c.CheckRestart, &nomadapi.CheckRestart{Limit: 2, Grace: ptr(20 * time.Second)})
				w := group(t, j, "w").Services[0]
				eq(t, "worker has no route tags", len(w.Tags), 0)
				eq(t, "worker default check", []any{w.Checks[0].Type, w.Checks[0].PortLabel}, []any{"tcp", "main"})
				eq(t, "no port, no service", len(group(t, j, "quiet").Services), 0)
			},
		},
		{
			name: "env, resources and volumes",
			src: `app "a" {
  image = "a:1"
  env   = { LEVEL = "info", MODE = "app" }
  worker "w" {
    env = { MODE = "worker" }
    resources {
      cpu        = 300
      memory     = 128
      memory_max = 256
    }
    volume "data" {
      type        = "csi"
      source      = "vol-1"
      destination = "/data"
    }
  }
}`,
			check: func(t *testing.T, _ *jobspec.App, d *compile.Desired) {
				g := group(t, job(t, d, "a"), "w")
				task := g.Tasks[0]
				eq(t, "env", task.Env, map[string]string{"LEVEL": "info", "MODE": "worker", "SKIFF_APP": "a",
					"SKIFF_PROCESS": "w"})
				eq(t, "resources", task.Resources, &nomadapi.Resources{CPU: ptr(300), MemoryMB: ptr(128),
					MemoryMaxMB: ptr(256)})
				eq(t, "volumes", g.Volumes, map[string]*nomadapi.VolumeRequest{
					"data": {Name: "data", Type: "csi", Source: "vol-1"}})
				eq(t, "mounts", task.VolumeMounts, []*nomadapi.VolumeMount{{Volume: ptr("data"),
					Destination: ptr("/data"), ReadOnly: ptr(false)}})
			},
		},
		{
			name: "binds render credentials from Vault",
			src: `app "a" {
  image = "a:1"
  web "web" { port = 8080 }
  worker "w" {}
  bind "db" {
    offering   = "postgres"
    env_prefix = "DATABASE"
    processes  = ["web"]
  }
  upstream "pay" {
    local_port = 9191
    processes  = ["w"]
  }
}`,
			check: func(t *testing.T, _ *jobspec.App, d *compile.Desired) {
				j := job(t, d, "a")
				web := group(t, j, "web").Tasks[0]
				if web.Vault == nil || len(web.Templates) != 1 {
					t.Fatalf("web task: vault %v, %d templates; want a Vault role and one template", web.Vault, len(web.Templates))
				}
				eq(t, "vault role", web.Vault.Role, "skiff_default_a")
				eq(t, "template destination", *web.Templates[0].DestPath, "secrets/bind-db.env")
				eq(t, "template env", *web.Templates[0].Envvars, true)
				for k, v := range web.Env {
					if strings.HasPrefix(k, "DATABASE") {
						t.Errorf("env %s=%q: bind values must not be in the job", k, v)
					}
				}
				w := group(t, j, "w").Tasks[0]
				eq(t, "bind limited to web", w.Vault == nil && len(w.Templates) == 0, true)
				eq(t, "no warnings: upstreams deploy", len(d.Warnings), 0)
			},
		},
		{
			name: "sensitive env reads the pinned KV version and never restarts in place",
			src:  sensitiveSpec,
			opts: compile.CompileOptions{SecretVersions: map[string]int{"secret/data/default/a/web": 3}},
			check: func(t *testing.T, _ *jobspec.App, d *compile.Desired) {
				web := group(t, job(t, d, "a"), "web").Tasks[0]
				if web.Vault == nil || len(web.Templates) != 1 {
					t.Fatalf("web task: vault %v, %d templates; want a Vault block and one template", web.Vault, len(web.Templates))
				}
				eq(t, "template", *web.Templates[0].EmbeddedTmpl, `{{ with secret "secret/data/default/a/web?version=3" }}`+
					`{{ range $k, $v := .Data.data }}{{ $k }}={{ $v | toJSON }}`+"\n"+`{{ end }}{{ end }}`)
				eq(t, "template change_mode", *web.Templates[0].ChangeMode, "noop")
				eq(t, "vault change_mode", *web.Vault.ChangeMode, "noop")
				eq(t, "env keeps the plain value only", web.Env["API_KEY"], "")
				eq(t, "plain env", web.Env["MODE"], "plain")
			},
		},
		{
			name: "sensitive env without a pinned version reads the latest",
			src:  sensitiveSpec,
			check: func(t *testing.T, _ *jobspec.App, d *compile.Desired) {
				web := group(t, job(t, d, "a"), "web").Tasks[0]
				eq(t, "template path", strings.Contains(*web.Templates[0].EmbeddedTmpl,
					`{{ with secret "secret/data/default/a/web" }}`), true)
			},
		},
		{
			name: "bind to an unknown offering fails",
			src: `app "a" {
  image = "a:1"
  worker "w" {}
  bind "cache" { offering = "redis" }
}`,
			wantErr: `offering "redis" is not in the offerings catalog`,
		},
	}
}

// TestCompilePatchError: a patch that does not fit the Nomad job is an error, not a panic.
func TestCompilePatchError(t *testing.T) {
	t.Parallel()
	app, diags := jobspec.Parse("p.hcl", []byte(`app "a" {
  image = "a:1"
  worker "w" {
    patch {
      group = { Count = "three" }
    }
  }
}`), nil)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	if _, err := compile.Compile(app, compile.CompileOptions{}); err == nil {
		t.Error("Compile accepted a patch that sets Count to a string")
	}
}

// TestCompileDoesNotMutateApp: compiling twice gives the same jobs (patches and counts must not leak into the
// App or between calls).
func TestCompileDoesNotMutateApp(t *testing.T) {
	t.Parallel()
	for _, e := range examples(t) {
		app := e.load(t)
		opts := corpusOptions()
		opts.Counts = map[string]int{"x": 1}
		d1, err := compile.Compile(app, opts)
		if err != nil {
			t.Fatal(err)
		}
		d2, err := compile.Compile(app, opts)
		if err != nil {
			t.Fatal(err)
		}
		a, _ := jobsJSON(d1.AllJobs())
		b, _ := jobsJSON(d2.AllJobs())
		if string(a) != string(b) {
			t.Errorf("%s: second Compile differs:\n%s", e.Name, lineDiff(string(a), string(b)))
		}
	}
}

func job(t *testing.T, d *compile.Desired, id string) *nomadapi.Job {
	t.Helper()
	for _, j := range d.AllJobs() {
		if *j.ID == id {
			return j
		}
	}
	t.Fatalf("no job %q; have %v", id, jobIDs(d.AllJobs()))
	return nil
}

func group(t *testing.T, j *nomadapi.Job, name string) *nomadapi.TaskGroup {
	t.Helper()
	for _, g := range j.TaskGroups {
		if *g.Name == name {
			return g
		}
	}
	t.Fatalf("job %q has no group %q", *j.ID, name)
	return nil
}

func jobIDs(jobs []*nomadapi.Job) []string {
	var out []string
	for _, j := range jobs {
		out = append(out, *j.ID)
	}
	return out
}

// eq reports got != want (deeply) as an error on what.
func eq[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s: got %s, want %s", what, show(got), show(want))
	}
}

// show renders v for a failure message, following pointers.
func show(v any) string {
	w := view{}
	w.put("v", v)
	if s, ok := w["v"]; ok {
		return s
	}
	return "<nil>"
}

func ptr[T any](v T) *T { return &v }
