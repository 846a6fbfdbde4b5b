kv_path = "/fabio/config" # ERROR: Unsupported argument
