app "shop" {
  image = "shop:1"
  worker "w" {
    port = 9000
    health {
      check_restart {
        limit = 0 # ERROR: Invalid check_restart limit
      }
    }
  }
}
