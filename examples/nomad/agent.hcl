# Consul server agent of the datacenter `nomad`, whose services a Nomad cluster runs.
datacenter         = "nomad"
primary_datacenter = "primary"
server             = true
bootstrap_expect   = 1
data_dir           = "/opt/consul"
advertise_addr     = "10.4.0.2"
advertise_addr_wan = "198.18.4.2"
retry_join_wan     = ["198.18.1.2"]

connect {
  enabled = true
}

ports {
  grpc = 8502
}
