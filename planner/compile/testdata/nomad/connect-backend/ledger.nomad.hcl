# examples/connect-backend: the ledger app's internal API, written as a Nomad operator would. The service is a
# Connect destination (the frontend reaches it through an upstream), so it runs in bridge mode with a sidecar.

job "ledger" {
  namespace   = "default"
  datacenters = ["*"]
  type        = "service"

  meta = {
    "skiff.managed-by" = "skiff"
    "skiff.app"        = "ledger"
    "skiff.kind"       = "service"
  }

  group "api" {
    count = 2

    meta = {
      "skiff.process" = "api"
      "skiff.kind"    = "worker"
    }

    network {
      mode = "bridge"
      port "main" {
        to = 8080
      }
    }

    service {
      name     = "api-ledger-default"
      port     = "main"
      provider = "consul"
      meta {
        skiff_app       = "ledger"
        skiff_process   = "api"
        skiff_namespace = "default"
      }

      check {
        type     = "http"
        path     = "/healthz"
        interval = "10s"
        timeout  = "2s"
      }

      connect {
        sidecar_service {}
      }
    }

    task "api" {
      driver = "docker"

      config {
        image = "skiff-demo:1"
        ports = ["main"]
      }

      env {
        APP_NAME      = "ledger"
        PORT          = "8080"
        SKIFF_APP     = "ledger"
        SKIFF_PROCESS = "api"
      }

      resources {
        cpu    = 100
        memory = 256
      }
    }
  }
}
