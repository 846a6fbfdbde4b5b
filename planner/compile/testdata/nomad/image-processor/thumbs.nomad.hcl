# examples/image-processor: the upload API, written as a Nomad operator would.

job "thumbs" {
  namespace   = "default"
  datacenters = ["*"]
  type        = "service"

  meta = {
    "skiff.managed-by" = "skiff"
    "skiff.app"        = "thumbs"
    "skiff.kind"       = "service"
  }

  group "upload" {
    count = 1

    meta = {
      "skiff.process" = "upload"
      "skiff.kind"    = "web"
    }

    network {
      port "http" {
        to = 8080
      }
    }

    shutdown_delay = "5s"

    service {
      name     = "upload-thumbs-default"
      port     = "http"
      provider = "consul"
      tags     = ["urlprefix-thumbs.localhost/upload"]
      meta {
        skiff_app       = "thumbs"
        skiff_process   = "upload"
        skiff_namespace = "default"
      }

      check {
        type     = "tcp"
        interval = "10s"
        timeout  = "2s"
      }
    }

    task "upload" {
      driver = "docker"

      config {
        image = "skiff-demo:1"
        ports = ["http"]
      }

      env {
        PORT          = "8080"
        SKIFF_APP     = "thumbs"
        SKIFF_PROCESS = "upload"
      }

      resources {
        cpu    = 100
        memory = 256
      }
    }
  }
}
