# examples/web-db: the web API, written as a Nomad operator would. (The Postgres binding, rendered from Vault at
# run time, is not part of this file: skiff does not deploy binds yet.)

variable "spec_hash" {
  type = string
}

job "shop" {
  namespace   = "default"
  datacenters = ["*"]
  type        = "service"

  meta = {
    "skiff.managed-by" = "skiff"
    "skiff.app"        = "shop"
    "skiff.release"    = "1"
    "skiff.spec-hash"  = var.spec_hash
    "skiff.kind"       = "service"
  }

  group "api" {
    count = 2

    meta = {
      "skiff.process" = "api"
      "skiff.kind"    = "web"
    }

    network {
      port "http" {
        to = 8080
      }
    }

    shutdown_delay = "5s"

    update {
      max_parallel = 1
      auto_revert  = true
    }

    service {
      name     = "api-shop-default"
      port     = "http"
      provider = "consul"
      tags     = ["urlprefix-shop.localhost/"]
      meta {
        skiff_app       = "shop"
        skiff_process   = "api"
        skiff_namespace = "default"
      }

      check {
        type     = "http"
        path     = "/healthz"
        interval = "5s"
        timeout  = "2s"
      }
    }

    task "api" {
      driver = "docker"

      config {
        image = "skiff-demo:1"
        ports = ["http"]
      }

      env {
        APP_NAME      = "shop"
        APP_VERSION   = "1"
        PORT          = "8080"
        SKIFF_APP     = "shop"
        SKIFF_PROCESS = "api"
      }

      resources {
        cpu    = 100
        memory = 64
      }
    }
  }
}
