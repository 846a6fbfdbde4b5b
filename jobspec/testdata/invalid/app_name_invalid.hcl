app "Shop_1" { # ERROR: Invalid app name
  image = "shop:1"
  worker "w" {
  }
}
