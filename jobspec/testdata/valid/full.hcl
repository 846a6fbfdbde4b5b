# The sketch from the design brief, with every process kind.
variable "version" {
  type    = string
  default = "1.4.2"
}

variable "db_password" {
  type      = string
  sensitive = true
  default   = "not-a-real-password"
}

locals {
  image = "shop:${var.version}"
  team  = upper("payments")
}

app "shop" {
  namespace   = "payments"
  datacenters = ["dc1"]
  image       = local.image
  env = {
    LOG_LEVEL   = "info"
    DB_PASSWORD = var.db_password
  }
  meta = { team = local.team }

  constraint {
    attribute = "attr.kernel.name"
    value     = "linux"
  }

  web "api" {
    command = ["/shop", "serve"]
    count   = 3
    port    = 8080
    ports   = { metrics = 9102 }
    route {
      host = "shop.example.com"
      path = "/"
    }
    route {
      host       = "shop.example.com"
      path       = "/static"
      strip      = true
      https_only = true
    }
    health {
      path     = "/healthz"
      interval = "2s"
      check_restart {
        limit = 3
        grace = "30s"
      }
    }
    resources {
      cpu        = 200
      memory     = 128
      memory_max = 256
    }
    rollout {
      canary       = 1
      auto_promote = true
      auto_revert  = true
    }
    autoscale {
      min = 2
      max = 10
      cpu = 70
    }
  }

  worker "mailer" {
    command = ["/shop", "mailer"]
    count   = 2
    env     = { QUEUE = "mail" }
  }

  cron "report" {
    schedule         = "0 3 * * *"
    time_zone        = "Europe/Berlin"
    prohibit_overlap = true
    command          = ["/shop", "report"]
  }

  function "thumb" {
    command       = ["/shop", "thumb"]
    payload       = "required"
    meta_required = ["id"]
    meta_optional = ["width"]
  }

  release "migrate" {
    command = ["/shop", "migrate"]
    timeout = "5m"
  }

  system "log-shipper" {
    command = ["/shop", "ship-logs"]
    volume "logs" {
      source      = "host-logs"
      destination = "/var/log/host"
      read_only   = true
    }
  }

  bind "db" {
    offering   = "postgres"
    env_prefix = "DATABASE"
    params     = { version = 16 }
  }

  upstream "payments" {
    destination = "payments-api"
    local_port  = 9191
  }

  patch {
    job = { Priority = 70 }
  }
}
