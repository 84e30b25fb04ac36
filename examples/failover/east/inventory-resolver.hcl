# When no instance of inventory in east is healthy, use west's. The primary's
# proxy-defaults (local) applies: the failover goes through east's mesh gateway to west's.
Kind           = "service-resolver"
Name           = "inventory"
ConnectTimeout = "5s"
Failover = {
  "*" = {
    Datacenters = ["west"]
  }
}
