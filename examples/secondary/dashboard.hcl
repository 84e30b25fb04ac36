# Nothing in the secondary datacenter sets a mode: dialed directly, by Consul's default.
service {
  name    = "dashboard"
  address = "10.2.0.50"
  port    = 3000
  connect {
    sidecar_service {
      port = 21000
      proxy {
        upstreams = [
          {
            destination_name = "web"
            datacenter       = "primary"
            local_bind_port  = 12000
          }
        ]
      }
    }
  }
}
