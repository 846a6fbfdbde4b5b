# examples/web-db: the migrate release task, dispatched once per release before the web rollout, written as a
# Nomad operator would. It must not be retried behind the deploy's back: a failure fails the release. It gets
# the same Postgres credentials as the web process, from Vault.

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
        memory = 256
      }
    }
  }
}
