app "shop" {
  image = "shop:1"
  worker "w" {
    env = {
      "LOG-LEVEL" = "info" # ERROR: Invalid environment variable name
    }
  }
}
