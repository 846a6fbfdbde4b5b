app "shop" {
  image = "shop:1"
  worker "w" { # ERROR: Empty command
    command = []
  }
}
