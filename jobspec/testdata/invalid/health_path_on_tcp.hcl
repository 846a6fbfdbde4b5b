app "shop" {
  image = "shop:1"
  worker "w" {
    port = 9000
    health {
      type = "tcp"
      path = "/healthz" # ERROR: Path needs an http check
    }
  }
}
