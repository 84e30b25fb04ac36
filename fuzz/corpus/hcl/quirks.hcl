# Corners of the HCL1 parser that Consul accepts.
meta {
  "version" = "1"
  "with spaces" = "yes"
}
list_no_comma_after_list = [[1] [2]]
leading_commas = [, 1,, 2]
one = 1, two = 2
upstreams = [ { destination_name = "db" mesh_gateway { mode = "local" } }, ]
block = {
  inner {
    x = 1
  }
}
