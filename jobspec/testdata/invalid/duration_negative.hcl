app "shop" {
  image = "shop:1"
  release "migrate" {
    timeout = "-5m" # ERROR: Invalid duration
  }
}
