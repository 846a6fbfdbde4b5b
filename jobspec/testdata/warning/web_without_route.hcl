app "shop" {
  image = "shop:1"
  web "api" { # WARNING: Web process without routes
    port = 8080
  }
}
