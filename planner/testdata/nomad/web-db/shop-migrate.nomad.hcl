# examples/web-db: the migrate release task, dispatched once per release before the web rollout, written as a
# Nomad operator would. It must not be retried behind the deploy's back: a failure fails the release.

variable "spec_hash" {
  type = string
}

job "shop-migrate" {
  namespace   = "default"
  datacenters = ["*"]
  type        = "batch"

  parameterized {
    payload = "forbidden"
  }

  meta = {
    "skiff.managed-by" = "skiff"
    "skiff.app"        = "shop"
    "skiff.release"    = "1"
    "skiff.spec-hash"  = var.spec_hash
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
      driver = "docker"

      config {
        image   = "skiff-demo:1"
        command = "/app"
        args    = ["exit", "0"]
      }

      env {
        APP_NAME      = "shop"
        APP_VERSION   = "1"
        SKIFF_APP     = "shop"
        SKIFF_PROCESS = "migrate"
      }

      resources {
        cpu    = 100
        memory = 256
      }
    }
  }
}
