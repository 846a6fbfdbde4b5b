app "shop" {
  image = "shop:1"
  web "api" {
    port = 8080
    route {
      host = "shop.example.com"
    }
    health {
      interval = "0s" # ERROR: Invalid duration
    }
  }
}
