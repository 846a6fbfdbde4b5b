app "shop" {
  image = "shop:1"
  web "site" {
    port = 8080
    route {
      host       = "shop.example.com"
      https_only = true
    }
  }
  web "hooks" {
    port = 8081
    route { # WARNING: Route covered by https_only
      host = "shop.example.com"
      path = "/hooks"
    }
  }
}
