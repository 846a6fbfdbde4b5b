fabio { # ERROR: Unclosed configuration block
  kv_path = "/fabio/config"
