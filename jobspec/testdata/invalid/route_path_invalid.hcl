app "shop" {
  image = "shop:1"
  web "api" {
    port = 8080
    route {
      path = "api" # ERROR: Invalid route path
    }
  }
}
