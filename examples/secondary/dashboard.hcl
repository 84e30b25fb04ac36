# No mode here: the primary's proxy-defaults (local), replicated to this datacenter, decides.
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
