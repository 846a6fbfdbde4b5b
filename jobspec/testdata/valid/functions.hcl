variable "replicas" {
  type    = number
  default = 2
}

variable "hosts" {
  type    = list(string)
  default = ["a.example.com", "b.example.com"]
}

variable "settings" {
  type = object({
    level = optional(string, "info")
    debug = optional(bool, false)
  })
  default = {}
}

locals {
  env = merge({ LEVEL = var.settings.level }, { DEBUG = tostring(var.settings.debug) })
}

app "fn" {
  image = format("fn:%s", join("-", ["v1", "2"]))
  env   = local.env

  web "api" {
    count = max(var.replicas, 1) + 1
    port  = 8080
    route {
      host = element(var.hosts, 0)
    }
    route {
      host = var.hosts[1]
      path = "/${lower("API")}"
    }
    env = {
      HOSTS  = jsonencode(var.hosts)
      TOKEN  = base64encode(sha256("x"))
      MAYBE  = try(var.settings.nope, "fallback")
      LENGTH = length(var.hosts)
    }
  }
}
