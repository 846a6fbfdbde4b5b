# Not an example: a spec that reaches the compiler paths the examples leave out — exec with an artifact, a
# system job with a host volume, constraints on app and process, check_restart, ports beside the primary one,
# memory_max, every batch kind with its defaults, patches at app and process level, and a sensitive env var
# (rendered from Vault). The golden and oracle tests treat it like an example.

variable "api_token" {
  type      = string
  sensitive = true
  default   = "not-a-real-token"
}

app "sink" {
  namespace   = "team-a"
  datacenters = ["dc1", "dc2"]
  image       = "sink:2.0"
  env         = { LOG_LEVEL = "debug" }
  meta        = { owner = "team-a" }

  constraint {
    attribute = "attr.kernel.name"
    value     = "linux"
  }

  web "api" {
    command = ["/sink", "serve", "--verbose"]
    env     = { API_TOKEN = var.api_token }
    count   = 3
    port    = 8080
    ports   = { metrics = 9102 }
    route {
      host = "sink.example.com"
    }
    health {
      path     = "/ready"
      interval = "5s"
      timeout  = "1s"
      check_restart {
        limit = 3
        grace = "30s"
      }
    }
    resources {
      cpu        = 250
      memory     = 128
      memory_max = 512
    }
    rollout {
      max_parallel     = 2
      min_healthy_time = "15s"
    }
    constraint {
      operator = "distinct_hosts"
      value    = "true"
    }
  }

  worker "sync" {
    artifact = "https://files.example.com/sync-1.0.tar.gz"
    command  = ["local/sync", "--loop"]
    port     = 7000
    shutdown_delay = "3s"
    health {
      type = "tcp"
    }
  }

  system "agent" {
    command = ["/sink", "agent"]
    volume "logs" {
      source      = "host-logs"
      destination = "/var/log/host"
      read_only   = true
    }
  }

  cron "vacuum" {
    schedule = "@daily"
    command  = ["/sink", "vacuum"]
  }

  function "export" {
    command = ["/sink", "export"]
  }

  release "migrate" {
    command = ["/sink", "migrate"]
    patch {
      task = { KillTimeout = 60000000000 }
    }
  }

  patch {
    job = { Priority = 70 }
  }
}
