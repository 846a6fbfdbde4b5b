app "shop" {
  image = "shop:1"
  system "agent" {
    rollout {
      canary = 1 # ERROR: Canary not supported for system processes
    }
  }
}
