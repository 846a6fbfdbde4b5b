app "shop" {
  image = "shop:1"
  cron "report" {
    schedule = "0 3 * * *"
    rollout { # ERROR: Block not valid for a cron process
      max_parallel = 2
    }
  }
}
