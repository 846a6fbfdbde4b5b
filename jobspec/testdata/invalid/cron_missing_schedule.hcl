app "shop" {
  image = "shop:1"
  cron "report" { # ERROR: Missing schedule
    command = ["/report"]
  }
}
