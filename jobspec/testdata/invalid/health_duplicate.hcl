app "shop" {
  image = "shop:1"
  worker "w" {
    port = 9000
    health {
      type = "tcp"
    }
    health { # ERROR: Duplicate health block
      type = "tcp"
    }
  }
}
