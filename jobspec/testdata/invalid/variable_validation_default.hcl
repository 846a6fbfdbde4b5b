variable "version" {
  type    = string
  default = "latest"
  validation { # ERROR: Invalid value for variable
    condition     = var.version != "latest"
    error_message = "Pin a version; \"latest\" is not reproducible."
  }
}
app "shop" {
  image = "shop:1"
  worker "w" {
  }
}
