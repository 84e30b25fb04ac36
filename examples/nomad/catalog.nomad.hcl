# nomad job run examples/nomad/catalog.nomad.hcl
job "catalog" {
  datacenters = ["nomad"]

  group "catalog" {
    network {
      mode = "bridge"
      port "http" {
        static = 9200
        to     = 8080
      }
    }

    service {
      name = "catalog"
      port = "http"
      connect {
        sidecar_service {
          proxy {
            upstreams {
              destination_name = "api"
              datacenter       = "secondary"
              local_bind_port  = 10200
              mesh_gateway {
                mode = "remote"
              }
            }
          }
        }
      }
    }
  }

  group "mesh-gateway" {
    network {
      mode = "host"
      port "mesh" {
        static = 8443
      }
    }

    service {
      name = "mesh-gateway"
      port = "mesh"
      tagged_addresses {
        wan = "198.18.4.10:443"
      }
      connect {
        gateway {
          mesh {}
        }
      }
    }
  }
}
