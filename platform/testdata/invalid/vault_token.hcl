vault {
  secrets_mount = "secret"
  token         = "s.xxxx" # ERROR: Unsupported argument
}
