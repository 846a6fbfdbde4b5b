app "shop" {
  image = "shop:1"
  worker "w" {
    health { # ERROR: Health check needs a port
      type = "tcp"
    }
  }
}
