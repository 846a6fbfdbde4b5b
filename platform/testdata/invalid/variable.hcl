vault {
  secrets_mount = var.mount # ERROR: Variables not allowed
}
