app "shop" {
  image = "shop:1"
  worker "w" {
    port = 9000
    health {
      port = "metrics" # ERROR: Unknown port
    }
  }
}
