# examples/web-worker-cron: the nightly digest, a periodic batch job, written as a Nomad operator would.

job "newsletter-digest" {
  namespace   = "default"
  datacenters = ["*"]
  type        = "batch"

  periodic {
    crons            = ["0 6 * * *"]
    time_zone        = "Europe/Berlin"
    prohibit_overlap = true
  }

  meta = {
    "skiff.managed-by" = "skiff"
    "skiff.app"        = "newsletter"
    "skiff.kind"       = "cron"
    "skiff.process"    = "digest"
  }

  group "digest" {
    count = 1

    meta = {
      "skiff.process" = "digest"
      "skiff.kind"    = "cron"
    }

    task "digest" {
      driver = "docker"

      config {
        image   = "skiff-demo:1"
        command = "/app"
        args    = ["exit", "0"]
      }

      env {
        APP_VERSION   = "1"
        LOG_LEVEL     = "info"
        SKIFF_APP     = "newsletter"
        SKIFF_PROCESS = "digest"
      }

      resources {
        cpu    = 100
        memory = 256
      }
    }
  }
}
