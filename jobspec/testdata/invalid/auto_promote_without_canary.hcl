app "shop" {
  image = "shop:1"
  worker "w" {
    rollout {
      auto_promote = true # ERROR: Auto-promote without canary
    }
  }
}
