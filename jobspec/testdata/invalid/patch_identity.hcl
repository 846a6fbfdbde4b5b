app "shop" {
  image = "shop:1"
  worker "w" {
    patch {
      job = {
        ID = "other" # ERROR: Patch changes job identity
      }
    }
  }
}
