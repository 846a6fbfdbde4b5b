variable "version" { # ERROR: No value for required variable
  type = string
}
app "shop" {
  image = "shop:1"
  worker "w" {
  }
}
