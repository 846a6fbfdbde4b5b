# A web API backed by Postgres. skiff asks Vault for short-lived database credentials at run time and hands
# them to the app as DATABASE_URL; the migrate release runs once per release, before the rollout.

variable "version" {
  type        = string
  default     = "1"
  description = "Tag of the skiff-demo image to deploy."
}

variable "domain" {
  type    = string
  default = "localhost"
}

app "shop" {
  image = "skiff-demo:${var.version}"
  env = {
    APP_NAME    = "shop"
    APP_VERSION = var.version
  }

  web "api" {
    count = 2
    port  = 8080
    route {
      host = "shop.${var.domain}"
    }
    health {
      path     = "/healthz"
      interval = "5s"
    }
    resources {
      cpu    = 100
      memory = 64
    }
    rollout {
      max_parallel = 1
      auto_revert  = true
    }
  }

  release "migrate" {
    command = ["/app", "exit", "0"]
    timeout = "2m"
  }

  bind "db" {
    offering   = "postgres"
    env_prefix = "DATABASE"
  }
}
