app "hello" {
  image = "hello:1"
  worker "main" {
  }
}
