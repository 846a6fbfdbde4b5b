app "shop" {
  image = "shop:1"
  worker "w" {
    env = {
      NOMAD_ADDR = "x" # ERROR: Reserved environment variable name
    }
  }
}
