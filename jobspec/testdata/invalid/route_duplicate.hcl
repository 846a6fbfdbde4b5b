app "shop" {
  image = "shop:1"
  web "api" {
    port = 8080
    route {
      host = "shop.example.com"
    }
  }
  web "admin" {
    port = 8081
    route { # ERROR: Duplicate route
      host = "shop.example.com"
    }
  }
}
