connect {
  mesh = "yes" # ERROR: Incorrect attribute value type
}
