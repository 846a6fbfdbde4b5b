app "shop" {
  image = "shop:1"
  worker "w" {
    periodic { # ERROR: Unsupported block type
      cron = "* * * * *"
    }
  }
}
