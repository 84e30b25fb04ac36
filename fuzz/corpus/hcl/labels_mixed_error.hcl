a = 1
a "x" { b = 1 }
