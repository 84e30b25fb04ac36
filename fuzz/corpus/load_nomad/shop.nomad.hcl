job "shop" {
  datacenters = ["east", "east-*"]
  region      = "us"

  group "web" {
    network {
      mode = "bridge"
      port "http" {
        to = 8080
      }
    }

    service {
      name = "${JOB}-${TASKGROUP}"
      port = "http"
      connect {
        sidecar_service {
          proxy {
            upstreams {
              destination_name = "api"
              local_bind_port  = 9090
              datacenter       = "west"
              mesh_gateway {
                mode = "remote"
              }
            }
            upstreams {
              destination_name = "orders"
              destination_peer = "partner"
              local_bind_port  = 9091
            }
          }
        }
      }
    }
  }

  group "edge" {
    network {
      port "mesh" {
        static = 9100
      }
    }
    service {
      name = "mesh-gateway"
      port = "mesh"
      tagged_addresses {
        wan = "198.18.5.10:443"
      }
      connect {
        gateway {
          mesh {}
        }
      }
    }
  }
}
