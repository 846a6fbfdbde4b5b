app "shop" {
  image = "shop:1"
  worker "w" {
    rollout {
      strategy = "blue-green" # ERROR: Invalid rollout strategy
    }
  }
}
