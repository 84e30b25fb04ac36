# Enabling gateways per service: every proxy of `web` uses the local mode
# (written with `consul config write`).
Kind = "service-defaults"
Name = "web"
MeshGateway {
  Mode = "local"
}
