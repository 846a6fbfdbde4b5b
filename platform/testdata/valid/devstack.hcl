# What `skiff dev up` writes: its own addresses and Consul's built-in proxy instead of Envoy.
fabio {
  proxy_addr = "http://127.0.0.1:21001"
  ui_addr    = "http://127.0.0.1:21002"
}

connect {
  builtin_proxy {
    launcher    = "/home/dev/.local/state/skiff/dev/meshproxy/meshproxy"
    consul      = "/home/dev/.local/state/skiff/dev/meshproxy/consul"
    consul_addr = "127.0.0.1:21000"
  }
}
