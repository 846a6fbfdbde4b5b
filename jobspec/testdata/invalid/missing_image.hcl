app "shop" {
  worker "w" { # ERROR: Missing image
  }
}
