/* Every kind of value HCL1 has. */
int = 42
negative = -7
hex = 0x1F
octal = 010
float = 3.25
exp = 1e3
exp_neg = 2.5E-2
trailing_dot = 10.
leading_dot = .5
zero = 0
yes = true
no = false
escapes = "tab\there \"quoted\" back\\slash \u00e9 \U0001F600 \x41 \101 \a\b\f\v\r\n"
interp = "${var.name}-${lookup(map, "key")}"
unicode = "héllo wörld ✓"
empty_string = ""
heredoc = <<EOF
line one
  line two
EOF
indented = <<-EOT
    alpha
      beta
    EOT
list_of_lists = [[1, 2], [], ["x"], [[true]]]
mixed = [1, "two", 3.5, false, { k = "v" }, [ { nested { deep = 1 } } ]]
empty_map = {}
object_value = { a = 1, b = { c = 2 } }
ident.with-dots_and-dashes = "ok"
"quoted key" = "ok"
commas = { x = 1, y = 2, }
list_trailing = [1, 2, 3,]
