app "shop" {
  image = "shop:1"
  web "api" { # ERROR: TCP health check in the Connect mesh
    port = 8080
    route {
      host = "shop.example.com"
    }
  }
  upstream "ledger" {
    destination = "api-ledger-default"
    local_port  = 9191
  }
}
