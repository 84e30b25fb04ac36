service {
  name    = "cache"
  address = "10.1.0.40"
  port    = 6379
  connect {
    sidecar_service {
      port = 21000
    }
  }
}
