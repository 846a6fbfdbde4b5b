package jobspec

import (
	"testing"
	"time"
)

func mustParse(t *testing.T, src string, opts *Options) *App {
	t.Helper()
	app, diags := Parse("spec.hcl", []byte(src), opts)
	if diags.HasErrors() || app == nil {
		t.Fatalf("parse: %s", diags.Error())
	}
	return app
}

func TestNormalizeDefaults(t *testing.T) {
	t.Parallel()
	app := mustParse(t, `
app "shop" {
  image = "shop:1"
  web "api" {
    port = 8080
    route {
      host = "shop.example.com"
    }
  }
  worker "w" {
    constraint {
      attribute = "node.class"
      value     = "big"
    }
    volume "data" {
      destination = "/data"
    }
  }
  cron "c" {
    schedule = "@daily"
  }
  function "f" {}
  release "r" {}
  system "s" {}
  bind "my-db" {
    offering = "postgres"
  }
  upstream "payments" {
    local_port = 9191
    processes  = ["w"]
  }
}
`, nil)
	web, worker, cron, fn, rel, sys := app.Processes[0], app.Processes[1], app.Processes[2], app.Processes[3], app.Processes[4], app.Processes[5]
	checks := []struct {
		name      string
		got, want any
	}{
		{"namespace", app.Namespace, "default"},
		{"datacenters", app.Datacenters[0], "*"},
		{"driver", app.Driver, "docker"},
		{"process image inherited", worker.Image, "shop:1"},
		{"web count", web.Count, 1},
		{"system count", sys.Count, 0},
		{"cpu", web.Resources.CPU, 100},
		{"memory", web.Resources.Memory, 256},
		{"memory_max", web.Resources.MemoryMax, 0},
		{"web port name", web.Ports[0].Name, "http"},
		{"web shutdown delay", web.ShutdownDelay, 5 * time.Second},
		{"worker shutdown delay", worker.ShutdownDelay, time.Duration(0)},
		{"web default health type", web.Health.Type, "tcp"},
		{"web default health port", web.Health.Port, "http"},
		{"health interval", web.Health.Interval, 10 * time.Second},
		{"health timeout", web.Health.Timeout, 2 * time.Second},
		{"worker without port has no health", worker.Health == nil, true},
		{"route path", web.Routes[0].Path, "/"},
		{"rollout strategy", web.Rollout.Strategy, "rolling"},
		{"rollout max_parallel", web.Rollout.MaxParallel, 1},
		{"rollout min_healthy_time", web.Rollout.MinHealthyTime, 10 * time.Second},
		{"rollout healthy_deadline", web.Rollout.HealthyDeadline, 5 * time.Minute},
		{"rollout progress_deadline", web.Rollout.ProgressDeadline, 10 * time.Minute},
		{"cron has no rollout", cron.Rollout == nil, true},
		{"cron time zone", cron.TimeZone, "UTC"},
		{"cron prohibit_overlap", cron.ProhibitOverlap, true},
		{"function payload", fn.Payload, "optional"},
		{"release timeout", rel.Timeout, 10 * time.Minute},
		{"release count", rel.Count, 1},
		{"constraint operator", worker.Constraints[0].Operator, "="},
		{"constraint attribute", worker.Constraints[0].Attribute, "${node.class}"},
		{"volume type", worker.Volumes[0].Type, "host"},
		{"volume source", worker.Volumes[0].Source, "data"},
		{"bind env prefix", app.Binds[0].EnvPrefix, "MY_DB"},
		{"upstream destination", app.Upstreams[0].Destination, "payments"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestNormalizeDerived(t *testing.T) {
	t.Parallel()
	app := mustParse(t, `
app "tools" {
  artifact = "https://files.example.com/t.tgz"
  web "api" {
    port = 8080
    route {
      host = "t.example.com"
    }
    health {
      path     = "/healthz"
      interval = "1s"
    }
    rollout {
      strategy = "canary"
    }
  }
}
`, nil)
	p := app.Processes[0]
	if app.Driver != "exec" || p.Driver != "exec" {
		t.Errorf("driver = %q/%q, want exec", app.Driver, p.Driver)
	}
	if p.Health.Type != "http" || p.Health.Timeout != time.Second {
		t.Errorf("health = %+v, want http with timeout 1s (interval/2, but not below Nomad's 1s minimum)", p.Health)
	}
	if p.Rollout.Canary != 1 {
		t.Errorf("canary = %d, want 1 for strategy canary", p.Rollout.Canary)
	}
}

func TestSpecHash(t *testing.T) {
	t.Parallel()
	a := `
app "shop" {
  image = "shop:1"
  env   = { A = "1", B = "2" }
  worker "w" {
    count = 2
  }
}
`
	reformatted := `# comment
variable "count" {
  default = 2
}
locals { b = "2" }
app "shop" {
  env = {
    B = local.b
    A = "1"
  }
  image = "shop:${1}"
  worker "w" { count = var.count }
}
`
	changed := `
app "shop" {
  image = "shop:1"
  env   = { A = "1", B = "2" }
  worker "w" {
    count = 3
  }
}
`
	h1 := mustParse(t, a, nil).SpecHash
	if h2 := mustParse(t, a, nil).SpecHash; h1 != h2 || len(h1) != 64 {
		t.Fatalf("hash not stable: %q vs %q", h1, h2)
	}
	if h := mustParse(t, reformatted, nil).SpecHash; h != h1 {
		t.Errorf("reformatted spec changed the hash")
	}
	if h := mustParse(t, changed, nil).SpecHash; h == h1 {
		t.Errorf("changed count did not change the hash")
	}
	if h := mustParse(t, reformatted, &Options{Vars: map[string]string{"count": "3"}}).SpecHash; h == h1 {
		t.Errorf("changed variable value did not change the hash")
	}
}
