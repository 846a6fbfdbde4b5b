app "shop" {
  image = "shop:1"
  web "api" {
    port     = 8080
    schedule = "* * * * *" # ERROR: Argument not valid for a web process
    route {
      host = "shop.example.com"
    }
  }
}
