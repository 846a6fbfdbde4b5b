variable "v" {
  type = strin # ERROR: Invalid type specification
}
app "shop" {
  image = "shop:1"
  worker "w" {
  }
}
