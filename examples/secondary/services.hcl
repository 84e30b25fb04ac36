# The destinations of web's upstreams.
services = [
  {
    name    = "api"
    address = "10.2.0.20"
    port    = 8080
    connect {
      sidecar_service {
        port = 21000
      }
    }
  },
  {
    name    = "db"
    address = "10.2.0.30"
    port    = 5432
    connect {
      sidecar_service {
        port = 21000
      }
    }
  },
  {
    name    = "logging"
    address = "10.2.0.40"
    port    = 514
    connect {
      sidecar_service {
        port = 21000
        tagged_addresses {
          wan {
            address = "203.0.113.40"
            port    = 21000
          }
        }
      }
    }
  }
]
