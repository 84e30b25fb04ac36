# A separate proxy registration with no mode of its own: proxy-defaults decides.
service {
  name = "billing"
  address = "10.1.0.30"
  port = 8080
}

service {
  name = "billing-sidecar-proxy"
  kind = "connect-proxy"
  address = "10.1.0.30"
  port = 21000
  proxy {
    destination_service_name = "billing"
    upstreams = [
      {
        destination_name = "api"
        datacenter       = "secondary"
        local_bind_port  = 11000
      },
      {
        # Prepared queries never go through mesh gateways.
        destination_type = "prepared_query"
        destination_name = "api-nearest"
        local_bind_port  = 11001
      }
    ]
  }
}
