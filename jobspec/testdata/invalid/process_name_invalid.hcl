app "shop" {
  image = "shop:1"
  worker "Mailer" { # ERROR: Invalid process name
  }
}
