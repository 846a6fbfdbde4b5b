app "shop" {
  image = "shop:1"
  worker "w" {
    command = [timestamp()] # ERROR: Call to unknown function
  }
}
