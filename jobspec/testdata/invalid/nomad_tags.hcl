app "shop" {
  image = "shop:1"
  worker "w" {
    tags = ["a"] # ERROR: Unsupported argument
  }
}
