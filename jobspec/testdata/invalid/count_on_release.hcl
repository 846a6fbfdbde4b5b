app "shop" {
  image = "shop:1"
  release "migrate" {
    count = 2 # ERROR: Argument not valid for a release process
  }
}
