app "shop" {
  image = "shop:1"
  function "thumb" {
    payload = "sometimes" # ERROR: Invalid payload
  }
}
