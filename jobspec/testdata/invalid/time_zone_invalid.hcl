app "shop" {
  image = "shop:1"
  cron "report" {
    schedule  = "0 3 * * *"
    time_zone = "Mars/Olympus_Mons" # ERROR: Invalid time zone
  }
}
