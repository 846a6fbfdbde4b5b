app "shop" {
  image = "shop:1"
  worker "w" {
    port = 9000
    health {
      type = "icmp" # ERROR: Invalid health check type
    }
  }
}
