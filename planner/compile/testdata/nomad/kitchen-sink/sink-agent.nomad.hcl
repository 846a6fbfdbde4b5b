# testdata/specs/kitchen-sink.hcl: the agent system process, one instance per node, with a host volume.

job "sink-agent" {
  namespace   = "team-a"
  datacenters = ["dc1", "dc2"]
  type        = "system"
  priority    = 70

  constraint {
    attribute = "${attr.kernel.name}"
    value     = "linux"
  }

  meta = {
    owner              = "team-a"
    "skiff.managed-by" = "skiff"
    "skiff.app"        = "sink"
    "skiff.kind"       = "system"
    "skiff.process"    = "agent"
  }

  group "agent" {
    meta = {
      "skiff.process" = "agent"
      "skiff.kind"    = "system"
    }

    volume "logs" {
      type      = "host"
      source    = "host-logs"
      read_only = true
    }

    task "agent" {
      driver = "docker"

      config {
        image   = "sink:2.0"
        command = "/sink"
        args    = ["agent"]
      }

      volume_mount {
        volume      = "logs"
        destination = "/var/log/host"
        read_only   = true
      }

      env {
        LOG_LEVEL     = "debug"
        SKIFF_APP     = "sink"
        SKIFF_PROCESS = "agent"
      }

      resources {
        cpu    = 100
        memory = 256
      }
    }
  }
}
