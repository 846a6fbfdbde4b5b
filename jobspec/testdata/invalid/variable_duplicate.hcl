variable "v" {
  default = 1
}
variable "v" { # ERROR: Duplicate variable declaration
  default = 2
}
app "shop" {
  image = "shop:1"
  worker "w" {
  }
}
