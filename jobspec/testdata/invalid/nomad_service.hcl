app "shop" {
  image = "shop:1"
  web "api" {
    port = 8080
    route {
      host = "shop.example.com"
    }
  }
  service { # ERROR: Unsupported block type
    name = "x"
  }
}
