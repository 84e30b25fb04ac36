# Labelled blocks nest one list-of-one-map level per label.
service "web" {
  port = 80
}
service "db" {
  port = 5432
  check "tcp" "fast" {
    interval = "1s"
  }
}
"quoted" "label with spaces" {
  x = 1
}
