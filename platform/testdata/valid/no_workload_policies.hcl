vault {
  workload_policies = [] # apps' roles get their own policy only
}

connect {
  mesh = null # null leaves the default
}
