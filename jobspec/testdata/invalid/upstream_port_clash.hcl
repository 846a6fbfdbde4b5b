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
  upstream "payments" {
    local_port = 8080 # ERROR: Port clash
  }
}
