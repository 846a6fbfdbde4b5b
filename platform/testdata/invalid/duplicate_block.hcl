fabio {
  kv_path = "/fabio/config"
}

fabio { # ERROR: Duplicate fabio block
  ui_addr = "http://127.0.0.1:9998"
}
