# Consul server agent of the secondary datacenter: same primary_datacenter everywhere.
datacenter         = "secondary"
primary_datacenter = "primary"
server             = true
bootstrap_expect   = 1
data_dir           = "/opt/consul"
advertise_addr     = "10.2.0.2"
advertise_addr_wan = "198.18.2.2"
retry_join_wan     = ["198.18.1.2"]

connect {
  enabled = true
}

ports {
  grpc = 8502
}
