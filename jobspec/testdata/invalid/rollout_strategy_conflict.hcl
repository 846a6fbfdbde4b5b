app "shop" {
  image = "shop:1"
  worker "w" {
    rollout {
      strategy = "rolling" # ERROR: Conflicting rollout strategy
      canary   = 2
    }
  }
}
