app "shop" {
  image = "shop:1"
  system "agent" {
    count = 2 # ERROR: Argument not valid for a system process
  }
}
