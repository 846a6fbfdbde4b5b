vault {
  workload_policies = "nomad-workloads" # ERROR: Incorrect attribute value type
}
