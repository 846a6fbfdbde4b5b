app "shop" {
  image    = "shop:1"
  artifact = "https://files.example.com/shop.tgz" # ERROR: Conflicting image and artifact
  worker "w" {
  }
}
