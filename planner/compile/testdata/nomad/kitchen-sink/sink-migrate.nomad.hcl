# testdata/specs/kitchen-sink.hcl: the migrate release task, with the kill timeout its patch sets.

job "sink-migrate" {
  namespace   = "team-a"
  datacenters = ["dc1", "dc2"]
  type        = "batch"
  priority    = 70

  constraint {
    attribute = "${attr.kernel.name}"
    value     = "linux"
  }

  parameterized {
    payload = "forbidden"
  }

  meta = {
    owner              = "team-a"
    "skiff.managed-by" = "skiff"
    "skiff.app"        = "sink"
    "skiff.kind"       = "release"
    "skiff.process"    = "migrate"
  }

  group "migrate" {
    count = 1

    meta = {
      "skiff.process" = "migrate"
      "skiff.kind"    = "release"
    }

    restart {
      attempts = 0
      mode     = "fail"
    }

    reschedule {
      attempts  = 0
      unlimited = false
    }

    task "migrate" {
      driver       = "docker"
      kill_timeout = "60s"

      config {
        image   = "sink:2.0"
        command = "/sink"
        args    = ["migrate"]
      }

      env {
        LOG_LEVEL     = "debug"
        SKIFF_APP     = "sink"
        SKIFF_PROCESS = "migrate"
      }

      resources {
        cpu    = 100
        memory = 256
      }
    }
  }
}
