app "shop" {
  image = "shop:1"
  web "api" {
    port = 65536 # ERROR: Invalid port
    route {
      host = "shop.example.com"
    }
  }
}
