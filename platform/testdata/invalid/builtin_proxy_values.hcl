connect {
  builtin_proxy {
    launcher    = "meshproxy" # ERROR: Relative path
    consul      = "/usr/bin/consul"
    consul_addr = "http://127.0.0.1:8500" # ERROR: Address with a scheme
  }
}
