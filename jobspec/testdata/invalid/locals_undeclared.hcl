locals {
  a = local.nope # ERROR: Reference to undeclared local value
}
app "shop" {
  image = "shop:1"
  worker "w" {
  }
}
