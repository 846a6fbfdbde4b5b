# testdata/specs/kitchen-sink.hcl: the vacuum cron with skiff's defaults (UTC, no overlapping runs).

job "sink-vacuum" {
  namespace   = "team-a"
  datacenters = ["dc1", "dc2"]
  type        = "batch"
  priority    = 70

  constraint {
    attribute = "${attr.kernel.name}"
    value     = "linux"
  }

  periodic {
    crons            = ["@daily"]
    time_zone        = "UTC"
    prohibit_overlap = true
  }

  meta = {
    owner              = "team-a"
    "skiff.managed-by" = "skiff"
    "skiff.app"        = "sink"
    "skiff.kind"       = "cron"
    "skiff.process"    = "vacuum"
  }

  group "vacuum" {
    count = 1

    meta = {
      "skiff.process" = "vacuum"
      "skiff.kind"    = "cron"
    }

    task "vacuum" {
      driver = "docker"

      config {
        image   = "sink:2.0"
        command = "/sink"
        args    = ["vacuum"]
      }

      env {
        LOG_LEVEL     = "debug"
        SKIFF_APP     = "sink"
        SKIFF_PROCESS = "vacuum"
      }

      resources {
        cpu    = 100
        memory = 256
      }
    }
  }
}
