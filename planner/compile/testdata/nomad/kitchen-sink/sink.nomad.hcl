# testdata/specs/kitchen-sink.hcl: the api (docker, two ports, check_restart, a secret env var from Vault) and
# sync (exec with an artifact) processes, written as a Nomad operator would.

job "sink" {
  namespace   = "team-a"
  datacenters = ["dc1", "dc2"]
  type        = "service"
  priority    = 70

  constraint {
    attribute = "${attr.kernel.name}"
    value     = "linux"
  }

  meta = {
    owner              = "team-a"
    "skiff.managed-by" = "skiff"
    "skiff.app"        = "sink"
    "skiff.kind"       = "service"
  }

  group "api" {
    count = 3

    meta = {
      "skiff.process" = "api"
      "skiff.kind"    = "web"
    }

    constraint {
      operator = "distinct_hosts"
      value    = "true"
    }

    network {
      port "http" {
        to = 8080
      }
      port "metrics" {
        to = 9102
      }
    }

    shutdown_delay = "5s"

    update {
      max_parallel     = 2
      min_healthy_time = "15s"
    }

    service {
      name     = "api-sink-team-a"
      port     = "http"
      provider = "consul"
      tags     = ["urlprefix-sink.example.com/"]
      meta {
        skiff_app       = "sink"
        skiff_process   = "api"
        skiff_namespace = "team-a"
      }

      check {
        type     = "http"
        path     = "/ready"
        interval = "5s"
        timeout  = "1s"

        check_restart {
          limit = 3
          grace = "30s"
        }
      }
    }

    task "api" {
      driver = "docker"

      config {
        image   = "sink:2.0"
        command = "/sink"
        args    = ["serve", "--verbose"]
        ports   = ["http", "metrics"]
      }

      env {
        LOG_LEVEL     = "debug"
        PORT          = "8080"
        SKIFF_APP     = "sink"
        SKIFF_PROCESS = "api"
      }

      # API_TOKEN is sensitive: it lives in Vault KV and reaches the task through its workload identity. A new
      # value is a new job version that rolls out, so neither a new token nor a re-rendered template restarts
      # the task in place.
      vault {
        change_mode = "noop"
      }

      template {
        data        = "{{ with secret \"secret/data/team-a/sink/api\" }}{{ range $k, $v := .Data.data }}{{ $k }}={{ $v | toJSON }}\n{{ end }}{{ end }}"
        destination = "secrets/skiff-config.env"
        env         = true
        change_mode = "noop"
      }

      resources {
        cpu        = 250
        memory     = 128
        memory_max = 512
      }
    }
  }

  group "sync" {
    count = 1

    meta = {
      "skiff.process" = "sync"
      "skiff.kind"    = "worker"
    }

    network {
      port "main" {}
    }

    shutdown_delay = "3s"

    service {
      name     = "sync-sink-team-a"
      port     = "main"
      provider = "consul"
      meta {
        skiff_app       = "sink"
        skiff_process   = "sync"
        skiff_namespace = "team-a"
      }

      check {
        type     = "tcp"
        interval = "10s"
        timeout  = "2s"
      }
    }

    task "sync" {
      driver = "exec"

      artifact {
        source      = "https://files.example.com/sync-1.0.tar.gz"
        destination = "local/"
      }

      config {
        command = "local/sync"
        args    = ["--loop"]
      }

      env {
        LOG_LEVEL     = "debug"
        PORT          = "${NOMAD_PORT_main}"
        SKIFF_APP     = "sink"
        SKIFF_PROCESS = "sync"
      }

      resources {
        cpu    = 100
        memory = 256
      }
    }
  }
}
