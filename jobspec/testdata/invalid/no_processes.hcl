app "shop" { # ERROR: App without processes
  image = "shop:1"
}
