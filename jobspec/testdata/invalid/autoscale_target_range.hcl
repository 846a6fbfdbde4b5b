app "shop" {
  image = "shop:1"
  worker "w" {
    autoscale {
      max = 3
      cpu = 150 # ERROR: Invalid autoscale target
    }
  }
}
