app "shop" {
  image = "shop:1"
  worker "w" {
    autoscale { # ERROR: Missing required argument
      cpu = 50
    }
  }
}
