service {
  name = "mesh-gateway"
  kind = "mesh-gateway"
  address = "10.2.0.10"
  port    = 8443
  tagged_addresses {
    wan {
      address = "198.18.2.10"
      port    = 443
    }
  }
}
