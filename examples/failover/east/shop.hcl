# shop calls inventory in its own datacenter; inventory's resolver fails over to west.
service {
  name    = "shop"
  address = "10.3.0.20"
  port    = 8080
  connect {
    sidecar_service {
      port = 21000
      proxy {
        upstreams = [
          {
            destination_name = "inventory"
            local_bind_port  = 13000
          }
        ]
      }
    }
  }
}
