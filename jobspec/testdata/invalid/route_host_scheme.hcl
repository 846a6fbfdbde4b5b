app "shop" {
  image = "shop:1"
  web "api" {
    port = 8080
    route {
      host = "https://shop.example.com" # ERROR: Invalid route host
    }
  }
}
