app "shop" {
  image = "shop:1"
  worker "w" {
    comand = ["/shop"] # ERROR: Unsupported argument
  }
}
