app "shop" {
  image = "shop:1"
  web "api" {
    port = 8080
    route { # ERROR: HTTPS-only route needs a host
      path       = "/api"
      https_only = true
    }
    route {
      path = "/files/*" # ERROR: Invalid route path
    }
    route {
      path     = "/old"
      redirect = "https://example.com/a,b" # ERROR: Invalid redirect
    }
  }
}
