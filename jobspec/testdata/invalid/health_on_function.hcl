app "shop" {
  image = "shop:1"
  function "thumb" {
    health { # ERROR: Block not valid for a function process
      path = "/"
    }
  }
}
