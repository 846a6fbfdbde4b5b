app "shop" {
  image = "shop:1"
  worker "w" {
    command = [var.nope] # ERROR: Unsupported attribute
  }
}
