app "shop" {
  image = "shop:1"
  worker "w" {
    count = -1 # ERROR: Invalid count
  }
}
