fabio {
  proxy_addr = env("FABIO_ADDR") # ERROR: Function calls not allowed
}
