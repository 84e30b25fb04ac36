//! Shared by tests/syntax/hcl_reader.rs and tests/syntax/hcl_oracle.rs.

/// The table "The tree it gives" in docs/design.md, line by line (each also agrees with Consul's
/// decoder: see `documented_shapes_agree_with_the_oracle` in tests/syntax/hcl_oracle.rs).
pub(crate) const DOCUMENTED_SHAPES: &[(&str, &str)] = &[
    ("a { b = 1 }", r#"{"a": [{"b": 1}]}"#),
    ("a = { b = 1 }", r#"{"a": [{"b": 1}]}"#),
    ("a = [{ b = 1 }]", r#"{"a": [{"b": 1}]}"#),
    ("a {}", r#"{"a": [{}]}"#),
    ("a = {}", r#"{"a": [{}]}"#),
    ("a = []", r#"{"a": []}"#),
    (
        "service \"web\" { port = 80 }",
        r#"{"service": [{"web": [{"port": 80}]}]}"#,
    ),
    (
        "a \"b\" \"c\" { d = 1 }",
        r#"{"a": [{"b": [{"c": [{"d": 1}]}]}]}"#,
    ),
    (
        "s \"a\" {x=1}\ns \"b\" {y=2}",
        r#"{"s": [{"a": [{"x": 1}]}, {"b": [{"y": 2}]}]}"#,
    ),
    (
        "s \"a\" {x=1}\ns \"a\" {x=2}",
        r#"{"s": [{"a": [{"x": 1}]}, {"a": [{"x": 2}]}]}"#,
    ),
    ("t {}\nt {z=1}", r#"{"t": [{}, {"z": 1}]}"#),
    ("l = [1]\nl = [2]", r#"{"l": [1, 2]}"#),
    (
        "a = [{}, []]\na { b { c = 1 } }",
        r#"{"a": [{}, [], {"b": [{"c": 1}]}]}"#,
    ),
    ("n = 1\nn = 2", r#"{"n": 2}"#),
    ("x = \"s\"\nx = 10", r#"{"x": "10"}"#),
    ("x = 1\nx = \"0x10\"", r#"{"x": 16}"#),
    ("x = 1.5\nx = 2", r#"{"x": 2.0}"#),
    (
        "a \"x\" {}\nA \"y\" {}",
        r#"{"a": [{"x": [{}]}, {"y": [{}]}], "A": [{"x": [{}]}, {"y": [{}]}]}"#,
    ),
    (
        "u = [ { d = \"db\" mesh_gateway { mode = \"local\" } }, ]",
        r#"{"u": [{"d": "db", "mesh_gateway": [{"mode": "local"}]}]}"#,
    ),
    ("m { \"version\" = \"1\" }", r#"{"m": [{"version": "1"}]}"#),
    ("\"\" = 1", r#"{"": 1}"#),
    ("a.b-c = 1", r#"{"a.b-c": 1}"#),
    (
        "a = 0x10\nb = 010\nc = -5\nd = 1e3\ne = .5",
        r#"{"a": 16, "b": 8, "c": -5, "d": 1000.0, "e": 0.5}"#,
    ),
    ("s = \"${var.x}\"", r#"{"s": "${var.x}"}"#),
    ("h = <<EOF\nhi\nEOF\n", r#"{"h": "hi\n"}"#),
    ("x { a = } }", r#"{"x": [{}]}"#),
    ("a = 1\nb =", r#"{"a": 1}"#),
    ("a = [[1] [2]]", r#"{"a": [[1], [2]]}"#),
    (
        "{\"MeshGateway\": {\"Mode\": \"local\"}}",
        r#"{"MeshGateway": [{"Mode": "local"}]}"#,
    ),
    (
        "{\"service\": {\"web\": {\"port\": 80}}}",
        r#"{"service": [{"web": [{"port": 80}]}]}"#,
    ),
    (
        "{\"a\": null, \"l\": [1, true, 2]}",
        r#"{"a": "", "l": [1, 2]}"#,
    ),
];

/// The error lines of the same table.
pub(crate) const DOCUMENTED_ERRORS: &[&str] = &[
    "x = 1\nx = \"a\"",
    "x = true\nx = 1",
    "a = 1\na { }",
    "a = 1\na \"x\" {}",
    "a \"x\" {}\nA = 1",
    "mode = local",
    "k:x = 1",
    "true = 1",
    "h = <<EOF\nhi\nEOF",
];
