app "shop" {
  image = "shop:1"
  worker "w" {
    count = = 2 # ERROR: Invalid expression
  }
}
