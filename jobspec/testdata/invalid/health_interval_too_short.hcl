app "shop" {
  image = "shop:1"
  web "api" {
    port = 8080
    route {
      host = "shop.example.com"
    }
    health {
      path     = "/healthz"
      interval = "500ms" # ERROR: Health check interval too short
    }
  }
}
