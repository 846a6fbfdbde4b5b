fabio {
  kv_path = "fabio/config" # ERROR: KV path without a leading slash
}
