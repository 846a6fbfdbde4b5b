app "shop" {
  image = "shop:1"
  web "api" {
    port           = 8080
    shutdown_delay = "1s" # WARNING: Short shutdown delay
    route {
      host = "shop.example.com"
    }
  }
}
