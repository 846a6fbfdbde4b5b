app "shop" {
  image = "shop:1"
  worker "w" {
    count = "three" # ERROR: Incorrect attribute value type
  }
}
