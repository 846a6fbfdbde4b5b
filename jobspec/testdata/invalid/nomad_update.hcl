app "shop" {
  image = "shop:1"
  worker "w" {
    update { # ERROR: Unsupported block type
      canary = 1
    }
  }
}
