app "shop" {
  image  = "shop:1"
  driver = "exec" # ERROR: Driver needs an artifact
  worker "w" {
  }
}
