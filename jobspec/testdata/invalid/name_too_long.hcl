app "shop" {
  image = "shop:1"
  worker "this-is-a-very-long-process-name-that-does-not-fit-a-dns-label" { # ERROR: Name too long
  }
}
