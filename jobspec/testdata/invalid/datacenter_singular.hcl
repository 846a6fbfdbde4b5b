app "shop" {
  image = "shop:1"
  datacenter = "dc1" # ERROR: Unsupported argument
  web "api" {
    port = 8080
    route {
      host = "shop.example.com"
    }
  }
}
