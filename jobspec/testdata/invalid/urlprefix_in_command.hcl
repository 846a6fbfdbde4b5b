app "shop" {
  image = "shop:1"
  worker "w" {
    command = ["/shop", "--tag=urlprefix-/x"] # ERROR: Router tag not allowed
  }
}
