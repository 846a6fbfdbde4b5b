variable "tag" {
  default = "urlprefix-/v"
}
app "shop" {
  image = "shop:1"
  worker "w" {
    meta = {
      route = var.tag # ERROR: Router tag not allowed
    }
  }
}
