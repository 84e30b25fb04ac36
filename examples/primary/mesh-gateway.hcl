# Two mesh gateways of the primary datacenter. Proxies here dial them at their service
# address; gateways of other datacenters dial them at their `wan` tagged address.
services = [
  {
    name = "mesh-gateway"
    id   = "mesh-gateway-1"
    kind = "mesh-gateway"
    address = "10.1.0.10"
    port    = 8443
    tagged_addresses {
      lan {
        address = "10.1.0.10"
        port    = 8443
      }
      wan {
        address = "198.18.1.10"
        port    = 443
      }
    }
  },
  {
    name = "mesh-gateway"
    id   = "mesh-gateway-2"
    kind = "mesh-gateway"
    address = "10.1.0.11"
    port    = 8443
    tagged_addresses {
      wan {
        address = "198.18.1.11"
        port    = 443
      }
    }
  }
]
