service {
  name    = "inventory"
  address = "10.3.0.30"
  port    = 9090
  connect {
    sidecar_service {
      port = 21000
    }
  }
}
