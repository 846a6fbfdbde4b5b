app "shop" {
  image = "shop:1"
  worker "w" {
    autoscale { # ERROR: Missing autoscale target
      max = 3
    }
  }
}
