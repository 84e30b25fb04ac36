service {
  name    = "mesh-gateway"
  kind    = "mesh-gateway"
  address = "10.4.0.10"
  port    = 8443
  tagged_addresses {
    wan {
      address = "198.18.4.10"
      port    = 443
    }
  }
}
