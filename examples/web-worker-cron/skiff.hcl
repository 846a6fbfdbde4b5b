# A web front end, a background worker and a nightly report: the three long-lived shapes most apps need.

variable "version" {
  type    = string
  default = "1"
}

locals {
  common_env = {
    APP_VERSION = var.version
    LOG_LEVEL   = "info"
  }
}

app "newsletter" {
  image = "skiff-demo:${var.version}"
  env   = local.common_env

  web "site" {
    count = 2
    port  = 8080
    route {
      host = "newsletter.localhost"
    }
    health {
      path = "/healthz"
    }
    rollout {
      canary       = 1
      auto_promote = true
      auto_revert  = true
    }
    autoscale {
      min = 2
      max = 6
      cpu = 70
    }
  }

  worker "mailer" {
    count = 1
    port  = 8080
    env   = { APP_NAME = "mailer" }
    resources {
      cpu    = 50
      memory = 32
    }
  }

  cron "digest" {
    schedule  = "0 6 * * *"
    time_zone = "Europe/Berlin"
    command   = ["/app", "exit", "0"]
  }
}
