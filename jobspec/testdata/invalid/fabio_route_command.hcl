app "shop" {
  image = "shop:1"
  worker "w" {
    meta = {
      r = "route add shop-api /x http://10.0.0.1:8080/" # ERROR: Router tag not allowed
    }
  }
}
