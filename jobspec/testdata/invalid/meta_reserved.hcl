app "shop" {
  image = "shop:1"
  worker "w" {
    meta = {
      skiff_release = "7" # ERROR: Reserved meta key
    }
  }
}
