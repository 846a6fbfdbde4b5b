app "shop" {
  image  = "shop:1"
  driver = "podman" # ERROR: Unsupported driver
  worker "w" {
  }
}
