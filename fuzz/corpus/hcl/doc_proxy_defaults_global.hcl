Kind = "proxy-defaults"
Name = "global"
MeshGateway {
   Mode = "local"
}
