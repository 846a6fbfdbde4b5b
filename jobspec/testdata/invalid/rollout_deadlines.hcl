app "shop" {
  image = "shop:1"
  worker "w" {
    rollout {
      min_healthy_time = "10m" # ERROR: Invalid rollout deadlines
    }
  }
}
