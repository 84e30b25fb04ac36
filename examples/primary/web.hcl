# Enabling gateways for a service instance (remote mode), inline with the service definition,
# and for single upstreams (the product document's upstream example, across datacenters).
service {
  name    = "web"
  address = "10.1.0.20"
  port    = 8080
  connect {
    sidecar_service {
      port = 21000
      proxy {
        mesh_gateway {
          mode = "remote"
        }
        upstreams = [
          {
            # No mode of its own: the instance's `remote` decides.
            destination_name = "api"
            datacenter       = "secondary"
            local_bind_port  = 10000
          },
          {
            destination_name = "db"
            datacenter       = "secondary"
            local_bind_port  = 10001
            mesh_gateway {
              mode = "local"
            }
          },
          {
            destination_name = "logging"
            datacenter       = "secondary"
            local_bind_port  = 10002
            mesh_gateway {
              mode = "none"
            }
          },
          {
            # Same datacenter: dialed directly whatever the mode.
            destination_name = "cache"
            local_bind_port  = 10003
          }
        ]
      }
    }
  }
}
