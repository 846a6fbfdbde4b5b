app "shop" {
  image = "shop:1"
  worker "w" {
    port = 0 # ERROR: Invalid port
  }
}
