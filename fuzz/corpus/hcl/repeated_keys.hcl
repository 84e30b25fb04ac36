// Repeated blocks append, repeated lists concatenate, repeated scalars keep the last one.
meta { a = "1" }
meta { b = "2" }
tags = ["a", "b"]
tags = ["c"]
name = "first"
name = "second"
port = "80"
port = 8080
weight = 1
weight = "0x10"
ratio = 1.5
ratio = 2
empty = []
empty { k = "v" }
