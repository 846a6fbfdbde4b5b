app "shop" {
  image = "shop:1"
  worker "w" {
    count = 1.5 # ERROR: Invalid whole number
  }
}
