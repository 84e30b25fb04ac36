a = <<EOF
x
EOF
