app "shop" {
  image = "shop:1"
  worker "w" {
    env = {
      SERVICE_TAGS = "urlprefix-/admin" # ERROR: Router tag not allowed
    }
  }
}
