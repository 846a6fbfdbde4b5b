app "shop" {
  image = "shop:1"
  web "api" {
    port = 8080
    route {
      host = "shop.example.com"
    }
    health {
      path = "/healthz"
    }
  }

  upstream "pay" {
    local_port = 9191
  }
  upstream "pay" { # ERROR: Duplicate upstream name
    local_port = 9192
  }
}
