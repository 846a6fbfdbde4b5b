app "shop" {
  image = "shop:1"
  web "api" {
    port = 8080
    ports = {
      metrics = 8080 # ERROR: Duplicate port
    }
    route {
      host = "shop.example.com"
    }
  }
}
