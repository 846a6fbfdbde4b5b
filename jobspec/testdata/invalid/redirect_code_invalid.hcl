app "shop" {
  image = "shop:1"
  web "api" {
    port = 8080
    route {
      host          = "old.example.com"
      redirect      = "https://new.example.com/"
      redirect_code = 200 # ERROR: Invalid redirect code
    }
  }
}
