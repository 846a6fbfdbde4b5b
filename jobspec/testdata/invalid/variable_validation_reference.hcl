variable "a" {
  default = "x"
}
variable "b" {
  default = "y"
  validation {
    condition     = var.a == "x" # ERROR: Invalid reference in variable validation
    error_message = "Bad."
  }
}
app "shop" {
  image = "shop:1"
  worker "w" {
  }
}
