app "shop" {
  image = "shop:1"
  worker "w" {
    count = parseint("ten", 10) # ERROR: Invalid function argument
  }
}
