app "shop" {
  image = "shop:1"
  cron "report" {
    schedule = "61 3 * * *" # ERROR: Invalid cron schedule
  }
}
