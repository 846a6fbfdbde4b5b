app "shop" {
  image = "shop:1"
  web "api" {
    port = 8080
    route {
      host     = "old.example.com"
      redirect = "new.example.com" # ERROR: Invalid redirect
    }
  }
}
