app "shop" {
  image = "shop:1"
  worker "w" {
    healthcheck { # ERROR: Unsupported block type
    }
  }
}
