app "shop" {
  image = "shop:1"
  worker "w" {
    constraint {
      attribute = "node.class"
      operator  = "~=" # ERROR: Invalid constraint operator
      value     = "big"
    }
  }
}
