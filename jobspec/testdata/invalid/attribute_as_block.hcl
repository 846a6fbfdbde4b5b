app "shop" {
  image = "shop:1"
  worker "w" {
    env { # ERROR: Unsupported block type
      A = "b"
    }
  }
}
