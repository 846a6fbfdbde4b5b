app "shop" {
  image = "shop:1"
  worker "w" {
    patch {
      job = "Priority=70" # ERROR: Object required
    }
  }
}
