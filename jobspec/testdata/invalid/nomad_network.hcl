app "shop" {
  image = "shop:1"
  web "api" {
    port = 8080
    network { # ERROR: Unsupported block type
      mode = "bridge"
    }
    route {
      host = "shop.example.com"
    }
  }
}
