# examples/static-site: one web process on two host names with a www redirect, written as a Nomad operator
# would (Fabio reads the urlprefix- tags).

job "site" {
  namespace   = "default"
  datacenters = ["*"]
  type        = "service"

  meta = {
    "skiff.managed-by" = "skiff"
    "skiff.app"        = "site"
    "skiff.kind"       = "service"
  }

  group "www" {
    count = 2

    meta = {
      "skiff.process" = "www"
      "skiff.kind"    = "web"
    }

    network {
      port "http" {
        to = 8080
      }
    }

    shutdown_delay = "5s"

    service {
      name     = "www-site-default"
      port     = "http"
      provider = "consul"
      tags = [
        "urlprefix-site.localhost/",
        "urlprefix-site.localhost/assets strip=/assets",
        "urlprefix-www.site.localhost/ redirect=301,http://site.localhost/",
      ]
      meta {
        skiff_app       = "site"
        skiff_process   = "www"
        skiff_namespace = "default"
      }

      check {
        type     = "http"
        path     = "/healthz"
        interval = "10s"
        timeout  = "2s"
      }
    }

    task "www" {
      driver = "docker"

      config {
        image = "skiff-demo:1"
        ports = ["http"]
      }

      env {
        APP_NAME      = "site"
        PORT          = "8080"
        SKIFF_APP     = "site"
        SKIFF_PROCESS = "www"
      }

      resources {
        cpu    = 50
        memory = 32
      }
    }
  }
}
