variable "replicas" {
  type    = number
  default = "many" # ERROR: Invalid default value for variable
}
app "shop" {
  image = "shop:1"
  worker "w" {
  }
}
