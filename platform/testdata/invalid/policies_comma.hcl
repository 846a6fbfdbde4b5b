vault {
  workload_policies = ["nomad-workloads,audit"] # ERROR: Invalid policy name
}
