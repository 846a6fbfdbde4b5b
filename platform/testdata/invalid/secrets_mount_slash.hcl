vault {
  secrets_mount = "secret/" # ERROR: Mount path with slashes around it
}
