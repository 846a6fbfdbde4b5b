app "shop" {
  image = "shop:1"
  worker "w" {
    patch {
      group = {
        Services = [{ Tags = ["URLPREFIX-/evil"] }] # ERROR: Router tag not allowed
      }
    }
  }
}
