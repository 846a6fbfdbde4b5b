fabio {
  kvpath = "/fabio/config" # ERROR: Unsupported argument
}
