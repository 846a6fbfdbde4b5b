# examples/connect-frontend: a routed web process that reaches the ledger API through a Connect upstream on
# 127.0.0.1:9191, written as a Nomad operator would.

job "storefront" {
  namespace   = "default"
  datacenters = ["*"]
  type        = "service"

  meta = {
    "skiff.managed-by" = "skiff"
    "skiff.app"        = "storefront"
    "skiff.kind"       = "service"
  }

  group "web" {
    count = 1

    meta = {
      "skiff.process" = "web"
      "skiff.kind"    = "web"
    }

    network {
      mode = "bridge"
      port "http" {
        to = 8080
      }
    }

    # Let Fabio drop the instance before it is signalled.
    shutdown_delay = "5s"

    service {
      name     = "web-storefront-default"
      port     = "http"
      provider = "consul"
      tags     = ["urlprefix-store.localhost/"]
      meta {
        skiff_app       = "storefront"
        skiff_process   = "web"
        skiff_namespace = "default"
      }

      # Nomad refuses tcp checks on Connect services.
      check {
        type     = "http"
        path     = "/healthz"
        interval = "10s"
        timeout  = "2s"
      }

      connect {
        sidecar_service {
          proxy {
            upstreams {
              destination_name = "api-ledger-default"
              local_bind_port  = 9191
            }
          }
        }
      }
    }

    task "web" {
      driver = "docker"

      config {
        image = "skiff-demo:1"
        ports = ["http"]
      }

      env {
        APP_NAME      = "storefront"
        LEDGER_ADDR   = "127.0.0.1:9191"
        PORT          = "8080"
        SKIFF_APP     = "storefront"
        SKIFF_PROCESS = "web"
      }

      resources {
        cpu    = 100
        memory = 256
      }
    }
  }
}
