app "shop" {
  image = "shop:1"
  worker "w" {
    count = 1 # ERROR: Count outside autoscale range
    autoscale {
      min = 2
      max = 10
      cpu = 70
    }
  }
}
