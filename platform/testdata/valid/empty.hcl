# A platform that keeps every default: Fabio on this host, Vault as `nomad setup vault` sets it up, Envoy.
