app "shop" {
  image = "shop:1"
  worker "mailer" {
    route { # ERROR: Block not valid for a worker process
      host = "x.example.com"
    }
  }
}
