# A static site on two host names, with the www name redirecting to the apex. No backing services, no batch
# jobs: the smallest routed app.

variable "version" {
  type    = string
  default = "1"
}

variable "domain" {
  type    = string
  default = "site.localhost"
}

app "site" {
  image = "skiff-demo:${var.version}"
  env   = { APP_NAME = "site" }

  web "www" {
    count          = 2
    port           = 8080
    shutdown_delay = "5s"

    route {
      host = var.domain
    }
    route {
      host  = var.domain
      path  = "/assets"
      strip = true
    }
    route {
      host     = "www.${var.domain}"
      redirect = "http://${var.domain}/"
    }

    health {
      path     = "/healthz"
      interval = "10s"
      timeout  = "2s"
    }
    resources {
      cpu    = 50
      memory = 32
    }
  }
}
