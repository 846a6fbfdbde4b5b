app "shop" {
  image = "shop:1"
  web "api" {
    port = 8080
    route {
      host = "shop.example.com"
    }
  }

  bind "db" {
    offering = "postgres"
  }
  bind "db" { # ERROR: Duplicate bind name
    offering = "postgres"
    env_prefix = "DB2"
  }
}
