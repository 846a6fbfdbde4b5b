app "shop" {
  image = "shop:1"
  web "api" {
    port = 8080
    route {
      host = "shop.example.com"
    }
    health {
      path     = "/healthz"
      interval = "2s"
      timeout  = "200ms" # ERROR: Health check timeout too short
    }
  }
}
