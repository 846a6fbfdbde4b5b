app "shop" {
  image = "shop:1"
  worker "w" {
    resources {
      memory = -128 # ERROR: Invalid memory
    }
  }
}
