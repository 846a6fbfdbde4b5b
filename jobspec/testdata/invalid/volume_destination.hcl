app "shop" {
  image = "shop:1"
  worker "w" {
    volume "data" {
      destination = "data" # ERROR: Invalid volume destination
    }
  }
}
