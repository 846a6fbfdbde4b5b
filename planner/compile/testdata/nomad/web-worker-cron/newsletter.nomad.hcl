# examples/web-worker-cron: the web front end and the mailer worker, two groups of one service job, written as
# a Nomad operator would. The web group autoscales on CPU through the Nomad Autoscaler's nomad-apm source.

job "newsletter" {
  namespace   = "default"
  datacenters = ["*"]
  type        = "service"

  meta = {
    "skiff.managed-by" = "skiff"
    "skiff.app"        = "newsletter"
    "skiff.kind"       = "service"
  }

  group "site" {
    count = 2

    meta = {
      "skiff.process" = "site"
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
      canary       = 1
      auto_promote = true
      auto_revert  = true
    }

    scaling {
      enabled = true
      min     = 2
      max     = 6

      policy {
        cooldown            = "1m"
        evaluation_interval = "10s"

        check "cpu" {
          source = "nomad-apm"
          query  = "avg_cpu-allocated"

          strategy "target-value" {
            target = 70
          }
        }
      }
    }

    service {
      name     = "site-newsletter-default"
      port     = "http"
      provider = "consul"
      tags     = ["urlprefix-newsletter.localhost/"]
      meta {
        skiff_app       = "newsletter"
        skiff_process   = "site"
        skiff_namespace = "default"
      }

      check {
        type     = "http"
        path     = "/healthz"
        interval = "10s"
        timeout  = "2s"
      }
    }

    task "site" {
      driver = "docker"

      config {
        image = "skiff-demo:1"
        ports = ["http"]
      }

      env {
        APP_VERSION   = "1"
        LOG_LEVEL     = "info"
        PORT          = "8080"
        SKIFF_APP     = "newsletter"
        SKIFF_PROCESS = "site"
      }

      resources {
        cpu    = 100
        memory = 256
      }
    }
  }

  group "mailer" {
    count = 1

    meta = {
      "skiff.process" = "mailer"
      "skiff.kind"    = "worker"
    }

    network {
      port "main" {
        to = 8080
      }
    }

    service {
      name     = "mailer-newsletter-default"
      port     = "main"
      provider = "consul"
      meta {
        skiff_app       = "newsletter"
        skiff_process   = "mailer"
        skiff_namespace = "default"
      }

      check {
        type     = "tcp"
        interval = "10s"
        timeout  = "2s"
      }
    }

    task "mailer" {
      driver = "docker"

      config {
        image = "skiff-demo:1"
        ports = ["main"]
      }

      env {
        APP_NAME      = "mailer"
        APP_VERSION   = "1"
        LOG_LEVEL     = "info"
        PORT          = "8080"
        SKIFF_APP     = "newsletter"
        SKIFF_PROCESS = "mailer"
      }

      resources {
        cpu    = 50
        memory = 32
      }
    }
  }
}
