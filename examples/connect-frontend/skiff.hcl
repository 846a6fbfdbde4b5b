# The frontend half of the Connect example: a routed web app that reaches the ledger app's API through a
# Connect upstream on 127.0.0.1:9191. Deploy connect-backend first.

variable "version" {
  type    = string
  default = "1"
}

app "storefront" {
  image = "skiff-demo:${var.version}"
  env = {
    APP_NAME   = "storefront"
    LEDGER_URL = "http://127.0.0.1:9191"
  }

  web "web" {
    port = 8080
    route {
      host = "store.localhost"
    }
  }

  upstream "ledger" {
    destination = "ledger-api"
    local_port  = 9191
  }
}
