app "shop" {
  image = "shop:1"
  worker "w" {
    timeout = "5m" # ERROR: Argument not valid for a worker process
  }
}
