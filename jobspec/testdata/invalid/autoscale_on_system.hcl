app "shop" {
  image = "shop:1"
  system "agent" {
    autoscale { # ERROR: Block not valid for a system process
      max = 3
    }
  }
}
