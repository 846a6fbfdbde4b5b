# testdata/specs/kitchen-sink.hcl: the export function with skiff's defaults (optional payload, no meta).

job "sink-export" {
  namespace   = "team-a"
  datacenters = ["dc1", "dc2"]
  type        = "batch"
  priority    = 70

  constraint {
    attribute = "${attr.kernel.name}"
    value     = "linux"
  }

  parameterized {
    payload = "optional"
  }

  meta = {
    owner              = "team-a"
    "skiff.managed-by" = "skiff"
    "skiff.app"        = "sink"
    "skiff.kind"       = "function"
    "skiff.process"    = "export"
  }

  group "export" {
    count = 1

    meta = {
      "skiff.process" = "export"
      "skiff.kind"    = "function"
    }

    task "export" {
      driver = "docker"

      config {
        image   = "sink:2.0"
        command = "/sink"
        args    = ["export"]
      }

      dispatch_payload {
        file = "payload"
      }

      env {
        LOG_LEVEL     = "debug"
        SKIFF_APP     = "sink"
        SKIFF_PROCESS = "export"
      }

      resources {
        cpu    = 100
        memory = 256
      }
    }
  }
}
