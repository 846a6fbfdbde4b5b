app "shop" {
  image = "shop:1"
  web "api" { # ERROR: Missing port
    route {
      host = "shop.example.com"
    }
  }
}
