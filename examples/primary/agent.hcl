# Consul server agent of the primary datacenter (the product document's scenario).
datacenter         = "primary"
primary_datacenter = "primary"
server             = true
bootstrap_expect   = 1
data_dir           = "/opt/consul"
advertise_addr     = "10.1.0.2"
advertise_addr_wan = "198.18.1.2"
retry_join_wan     = ["198.18.2.2"]

connect {
  enabled = true
}

ports {
  grpc = 8502
}

# Enabling gateways globally: every proxy of this datacenter uses the local mode.
config_entries {
  bootstrap = [
    {
      Kind = "proxy-defaults"
      Name = "global"
      MeshGateway {
        Mode = "local"
      }
    }
  ]
}
