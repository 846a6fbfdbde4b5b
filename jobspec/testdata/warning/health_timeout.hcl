app "shop" {
  image = "shop:1"
  web "api" {
    port = 8080
    route {
      host = "shop.example.com"
    }
    health {
      path     = "/healthz"
      interval = "5s"
      timeout  = "6s" # WARNING: Health check timeout above interval
    }
  }
}
