# The frontend half of the Connect example: a routed web app that reaches the ledger app's API through a
# Connect upstream on 127.0.0.1:9191 (skiff sets LEDGER_ADDR to it). Deploy connect-backend first, with
# SKIFF_CONNECT_MESH=1 so that the ledger's API gets a sidecar (see README, "Connect").

variable "version" {
  type    = string
  default = "1"
}

app "storefront" {
  image = "skiff-demo:${var.version}"
  env = {
    APP_NAME = "storefront"
  }

  web "web" {
    port = 8080
    route {
      host = "store.localhost"
    }
    health {
      path = "/healthz" # Connect services need an http (or grpc) check
    }
  }

  upstream "ledger" {
    destination = "api-ledger-default" # <process>-<app>-<namespace>, as `skiff status ledger` shows it
    local_port  = 9191
  }
}
