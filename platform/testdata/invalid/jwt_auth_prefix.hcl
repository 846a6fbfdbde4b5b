vault {
  jwt_auth_path = "auth/jwt-nomad" # ERROR: Auth path with its auth/ prefix
}
