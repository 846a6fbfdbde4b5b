nomad { # ERROR: Unsupported block type
  address = "http://127.0.0.1:4646"
}
