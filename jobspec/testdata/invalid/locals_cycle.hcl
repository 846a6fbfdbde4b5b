locals {
  a = local.b # ERROR: Circular reference between locals
  b = local.a
}
app "shop" {
  image = "shop:1"
  worker "w" {
  }
}
