fabio {
  proxy_addr = "127.0.0.1:9999" # ERROR: Address without a scheme
  ui_addr    = "ftp://127.0.0.1:9998" # ERROR: Invalid address
}
