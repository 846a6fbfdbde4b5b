app "shop" {
  image = "shop:1"
  cron "report" {
    schedule = "0 3 * *" # ERROR: Invalid cron schedule
  }
}
