app "shop" {
  image = "shop:1"
  worker "w" {
    meta = {
      "urlprefix-/x" = "1" # ERROR: Router tag not allowed
    }
  }
}
