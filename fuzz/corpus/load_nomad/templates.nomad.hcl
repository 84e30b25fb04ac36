variable "dc" { default = "east" }
locals { api = "api" }
job "t" {
  datacenters = [var.dc, "${node.datacenter}"]
  group "g" {
    service {
      name = "${BASE}-%{ if true }x%{ endif }"
      connect {
        sidecar_service {
          proxy {
            upstreams {
              destination_name = local.api
              local_bind_port = 1
              mesh_gateway { mode = var.missing }
            }
          }
        }
      }
    }
  }
}
