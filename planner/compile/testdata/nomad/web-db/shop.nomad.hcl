# examples/web-db: the web API, written as a Nomad operator would. The Postgres credentials come from Vault's
# database engine through the task's workload identity; the platform's offering says where Postgres is.

job "shop" {
  namespace   = "default"
  datacenters = ["*"]
  type        = "service"

  meta = {
    "skiff.managed-by" = "skiff"
    "skiff.app"        = "shop"
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

      vault {
        role        = "skiff_default_shop"
        change_mode = "restart"
      }

      template {
        data        = <<-EOT
          {{ with secret "database/creds/skiff_default_shop_db" }}
          DATABASE_URL="postgres://{{ .Data.username }}:{{ .Data.password }}@127.0.0.1:5432/postgres?sslmode=disable"
          DATABASE_USERNAME="{{ .Data.username }}"
          DATABASE_PASSWORD="{{ .Data.password }}"
          {{ end }}
          DATABASE_HOST="127.0.0.1"
          DATABASE_PORT=5432
          DATABASE_DATABASE="postgres"
          EOT
        destination = "secrets/bind-db.env"
        env         = true
        change_mode = "restart"
      }

      resources {
        cpu    = 100
        memory = 64
      }
    }
  }
}
