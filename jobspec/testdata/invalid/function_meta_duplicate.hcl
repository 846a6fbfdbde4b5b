app "shop" {
  image = "shop:1"
  function "thumb" {
    meta_required = ["id"]
    meta_optional = ["id"] # ERROR: Duplicate meta key
  }
}
