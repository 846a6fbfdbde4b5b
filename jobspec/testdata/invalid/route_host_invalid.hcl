app "shop" {
  image = "shop:1"
  web "api" {
    port = 8080
    route {
      host = "Shop Example" # ERROR: Invalid route host
    }
  }
}
