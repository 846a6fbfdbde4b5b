# The backend half of the Connect example: an internal API that is not routed from outside. Its Consul
# service is "ledger-api"; only apps that declare it as an upstream may reach it (skiff writes the intention).

variable "version" {
  type    = string
  default = "1"
}

app "ledger" {
  image = "skiff-demo:${var.version}"
  env   = { APP_NAME = "ledger" }

  worker "api" {
    count = 2
    port  = 8080
    health {
      type = "http"
      path = "/healthz"
    }
  }
}
