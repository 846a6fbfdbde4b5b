app "shop" {
  image = "shop:1"
  worker "w" {
    resources {
      memory     = 256
      memory_max = 128 # ERROR: Invalid memory_max
    }
  }
}
