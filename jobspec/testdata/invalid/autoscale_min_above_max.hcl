app "shop" {
  image = "shop:1"
  worker "w" {
    count = 3
    autoscale {
      min = 5
      max = 2 # ERROR: Invalid autoscale range
      cpu = 70
    }
  }
}
