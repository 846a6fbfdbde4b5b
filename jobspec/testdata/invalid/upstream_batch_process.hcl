app "shop" {
  image = "shop:1"
  cron "report" {
    schedule = "0 3 * * *"
  }
  upstream "payments" {
    local_port = 9191
    processes  = ["report"] # ERROR: Upstream needs a service process
  }
}
