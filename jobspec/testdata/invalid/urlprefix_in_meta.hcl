app "shop" {
  image = "shop:1"
  meta = {
    team = "urlprefix-shop.example.com/" # ERROR: Router tag not allowed
  }
  web "api" {
    port = 8080
    route {
      host = "shop.example.com"
    }
  }
}
