connect {
  builtin_proxy { # ERROR: Missing required argument
    launcher = "/opt/skiff/meshproxy"
    consul   = "/usr/bin/consul"
  }
}
