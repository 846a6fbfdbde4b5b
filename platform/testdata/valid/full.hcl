fabio {
  kv_path    = "/fabio/config/prod"
  proxy_addr = "https://apps.example.com/"
  ui_addr    = "http://fabio.internal:9998"
}

vault {
  secrets_mount     = "kv/skiff"
  jwt_auth_path     = "jwt-nomad-prod"
  workload_policies = ["nomad-workloads", "audit-read"]
}

connect {
  mesh = true
}
