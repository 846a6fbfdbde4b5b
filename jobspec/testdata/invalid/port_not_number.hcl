app "shop" {
  image = "shop:1"
  worker "w" {
    port = "http" # ERROR: Incorrect attribute value type
  }
}
