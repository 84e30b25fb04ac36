service {
  name    = "mesh-gateway"
  kind    = "mesh-gateway"
  address = "10.3.0.10"
  port    = 8443
  tagged_addresses {
    wan {
      address = "198.18.3.10"
      port    = 443
    }
  }
}
