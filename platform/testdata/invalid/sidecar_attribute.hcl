connect {
  sidecar = "envoy" # ERROR: Unsupported argument
}
