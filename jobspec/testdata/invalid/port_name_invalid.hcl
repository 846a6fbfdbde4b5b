app "shop" {
  image = "shop:1"
  worker "w" {
    ports = {
      Metrics = 9102 # ERROR: Invalid port name
    }
  }
}
