app "shop" {
  image = "shop:1"
  worker "w" {
    resources {
      cpu = 0 # ERROR: Invalid CPU
    }
  }
}
