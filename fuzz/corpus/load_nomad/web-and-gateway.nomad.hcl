variable "upstream_dc" {
  default = "west"
}

job "shop" {
  datacenters = ["east"]
  region      = "us"

  group "web" {
    network {
      mode = "bridge"
      port "http" {
        to = 8080
      }
    }

    service {
      name = "${JOB}-web"
      port = "http"
      connect {
        sidecar_service {
          proxy {
            upstreams {
              destination_name = "api"
              local_bind_port  = 9090
              datacenter       = var.upstream_dc
              mesh_gateway {
                mode = "local"
              }
            }
            upstreams {
              destination_name = "${NOMAD_META_db}"
              local_bind_port  = 9091
            }
          }
        }
      }
    }
  }

  group "gateway" {
    network {
      mode = "host"
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
