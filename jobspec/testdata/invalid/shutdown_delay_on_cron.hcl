app "shop" {
  image = "shop:1"
  cron "report" {
    schedule       = "0 3 * * *"
    shutdown_delay = "5s" # ERROR: Argument not valid for a cron process
  }
}
