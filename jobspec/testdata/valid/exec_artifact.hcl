app "tools" {
  artifact = "https://files.example.com/tools-1.0.tar.gz"

  worker "sync" {
    command = ["local/tools", "sync"]
  }

  web "docs" {
    image = "docs:2"
    port  = 8000
    route {
      host = "*.docs.example.com"
    }
  }
}
