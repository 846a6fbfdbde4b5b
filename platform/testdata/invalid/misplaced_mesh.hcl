vault {
  mesh = true # ERROR: Unsupported argument
}
