app "shop" {
  image = "shop:1"
  web "api" {
    port = 8080
    route {
      host = "shop.example.com"
    }
  }

  upstream "payments" {
    local_port = 100000 # ERROR: Invalid port
  }
}
