//! The HCL1 reader's contract beyond tree shapes: limits, positions and error messages.

use meshroute::hcl;

use crate::shapes;
use meshroute::tree::{Limits, Pos, Value};

fn limits(max_bytes: usize, max_depth: usize) -> Limits {
    let mut l = Limits::default();
    l.max_bytes = max_bytes;
    l.max_depth = max_depth;
    l
}

#[test]
fn deep_nesting_is_an_error_not_a_crash_even_with_a_huge_limit() {
    // A 2 MiB stack, as test threads get, and no depth limit from the caller.
    let handle = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(|| {
            let unlimited = limits(usize::MAX, usize::MAX);
            for src in [
                format!("a = {}", "[".repeat(100_000)),
                format!("a = {}{}", "[".repeat(100_000), "]".repeat(100_000)),
                format!("a {}", "{ b ".repeat(100_000)),
                format!("a = {}", "{ b = ".repeat(100_000)),
                format!("a {} {{}}", "\"l\" ".repeat(100_000)),
                format!("{{{}", "\"a\": {".repeat(100_000)),
                format!("{{\"a\": {}", "[{\"b\": ".repeat(100_000)),
                format!("{{{}: {{}}}}", "\"k\" ".repeat(100_000)),
            ] {
                let e = hcl::parse(&src, &unlimited).unwrap_err();
                assert!(e.message.contains("levels of nesting"), "{e}");
            }
        })
        .unwrap();
    handle.join().unwrap();
}

#[test]
fn the_deepest_accepted_documents_fit_a_small_stack() {
    // Just inside the reader's own cap, every phase (parse, decode, tree, drop) in a 2 MiB
    // thread of an unoptimized build.
    let handle = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(|| {
            let unlimited = limits(usize::MAX, usize::MAX);
            let n = hcl::MAX_SUPPORTED_DEPTH - 1;
            for src in [
                format!("a = {}{}", "[".repeat(n), "]".repeat(n)),
                format!("a {}{{}}{}", "{ b ".repeat(n - 1), "}".repeat(n - 1)),
                format!("a = {}1{}", "{ b = ".repeat(n), "}".repeat(n)),
                format!("a = {}1{}", "[{ b = ".repeat(n / 2), "}]".repeat(n / 2)),
                format!("a {} {{}}", "\"l\" ".repeat(n)),
                format!("{{{}{}}}", "\"a\": {".repeat(n - 1), "}".repeat(n - 1)),
                format!(
                    "{{\"a\": {}1{}}}",
                    "[{\"b\": ".repeat(n / 2),
                    "}]".repeat(n / 2)
                ),
            ] {
                let node = hcl::parse(&src, &unlimited).unwrap_or_else(|e| panic!("{e}"));
                assert!(matches!(node.value, Value::Map(_)));
            }
        })
        .unwrap();
    handle.join().unwrap();
}

#[test]
fn max_depth_counts_lists_objects_and_labels() {
    let l = limits(1 << 20, 3);
    assert!(hcl::parse("a = [[[1]]]", &l).is_ok());
    let e = hcl::parse("a = [[[[1]]]]", &l).unwrap_err();
    assert_eq!(e.pos, Pos::new(1, 8));
    assert_eq!(
        e.message,
        "expected at most 3 levels of nesting (the depth limit), found more"
    );
    assert!(hcl::parse("a { b { c {} } }", &l).is_ok());
    assert!(hcl::parse("a { b { c { d {} } } }", &l).is_err());
    assert!(hcl::parse("a \"x\" \"y\" {}", &l).is_ok());
    assert!(hcl::parse("a \"x\" \"y\" \"z\" {}", &l).is_err());
}

#[test]
fn max_bytes_is_enforced_before_reading() {
    let e = hcl::parse("name = \"web\"", &limits(5, 10)).unwrap_err();
    assert_eq!(
        e.message,
        "expected at most 5 bytes of hcl (the size limit), found 12 bytes"
    );
    assert!(hcl::parse("a = 1", &limits(5, 10)).is_ok());
}

#[test]
fn positions_of_keys_and_values() {
    let src = "service {\n  name = \"web\"\n  port = 80\n}\n";
    let root = hcl::parse(src, &Limits::default()).unwrap();
    let Value::Map(top) = &root.value else {
        panic!()
    };
    assert_eq!(top[0].key, "service");
    assert_eq!(top[0].key_pos, Pos::new(1, 1));
    assert_eq!(top[0].value.pos, Pos::new(1, 9));
    let Value::List(blocks) = &top[0].value.value else {
        panic!()
    };
    let Value::Map(body) = &blocks[0].value else {
        panic!()
    };
    assert_eq!(body[0].key_pos, Pos::new(2, 3));
    assert_eq!(body[0].value.pos, Pos::new(2, 10));
    assert_eq!(body[1].key, "port");
    assert_eq!(body[1].value.pos, Pos::new(3, 10));
    assert_eq!(body[1].value.value, Value::Int(80));
    // Columns count characters, not bytes.
    let root = hcl::parse("é = \"ü\"\nx = 1", &Limits::default()).unwrap();
    let Value::Map(top) = &root.value else {
        panic!()
    };
    assert_eq!(top[0].value.pos, Pos::new(1, 5));
}

#[test]
fn repeated_keys_point_at_the_value_that_won() {
    let root = hcl::parse("a = 1\nb { }\na = 2\nb { x = 1 }\n", &Limits::default()).unwrap();
    let Value::Map(top) = &root.value else {
        panic!()
    };
    assert_eq!(top.len(), 2);
    // The scalar: the last one, where it was written.
    assert_eq!(
        (top[0].key_pos, top[0].value.pos),
        (Pos::new(3, 1), Pos::new(3, 5))
    );
    assert_eq!(top[0].value.value, Value::Int(2));
    // The blocks: the list starts at the first, each element where it was written.
    assert_eq!(
        (top[1].key_pos, top[1].value.pos),
        (Pos::new(2, 1), Pos::new(2, 3))
    );
    let Value::List(blocks) = &top[1].value.value else {
        panic!()
    };
    assert_eq!(blocks[1].pos, Pos::new(4, 3));
}

#[test]
fn errors_say_what_was_expected_and_found_where() {
    let cases: &[(&str, Pos, &str)] = &[
        (
            "mode = local",
            Pos::new(1, 8),
            "expected a value (string, number, bool, list or object), found the bare word local (quote it: \"local\")",
        ),
        (
            "a {\n  b = 1\n",
            Pos::new(3, 1),
            "expected '}' to close the object opened at 1:3, found end of input",
        ),
        (
            "a = [1 2]",
            Pos::new(1, 8),
            "expected ',' or ']' in the list opened at 1:5, found a number",
        ),
        (
            "a b = 1",
            Pos::new(1, 5),
            "expected '{' after a key with labels, found '='",
        ),
        (
            "x = \"a\\qb\"",
            Pos::new(1, 8),
            "expected an escape (\\n, \\t, \\\", \\\\, \\x, \\u, …) after '\\', found 'q'",
        ),
        (
            "a = 1\na = \"x\"",
            Pos::new(2, 5),
            "expected an integer that fits in 64 bits, found x (key \"a\" repeats, first as an integer at 1:1)",
        ),
        (
            "a = 1\na \"x\" {}",
            Pos::new(2, 3),
            "expected an integer, found a labelled block (key \"a\" repeats, first as an integer at 1:1)",
        ),
        (
            "a \"x\" {}\na = 1",
            Pos::new(2, 5),
            "expected a labelled block, found a block or value without a label under the same key",
        ),
    ];
    for (src, pos, message) in cases {
        let e = hcl::parse(src, &Limits::default()).unwrap_err();
        assert_eq!((&e.pos, e.message.as_str()), (pos, *message), "{src:?}");
        assert_eq!(e.to_string(), format!("{pos}: {message}"));
    }
}

#[test]
fn text_starting_with_a_brace_is_hcl1s_json_dialect() {
    let node = hcl::parse(
        "\n  {\"service\": {\"name\": \"web\", \"port\": 80}}",
        &Limits::default(),
    )
    .unwrap();
    assert_eq!(
        node.to_json(),
        serde_json::json!({"service": [{"name": "web", "port": 80}]})
    );
    let Value::Map(top) = &node.value else {
        panic!()
    };
    assert_eq!(top[0].key_pos, Pos::new(2, 4));
}

#[test]
fn crlf_line_endings_read_like_lf() {
    let a = hcl::parse(
        "a = 1\r\nb {\r\n  c = <<EOF\r\nx\r\nEOF\r\n}\r\n",
        &Limits::default(),
    )
    .unwrap();
    let b = hcl::parse("a = 1\nb {\n  c = <<EOF\nx\nEOF\n}\n", &Limits::default()).unwrap();
    assert_eq!(a, b);
}

#[test]
fn documented_shapes() {
    use shapes::{DOCUMENTED_ERRORS, DOCUMENTED_SHAPES};
    for (src, want) in DOCUMENTED_SHAPES {
        let got = hcl::parse(src, &Limits::default())
            .unwrap_or_else(|e| panic!("{src:?}: {e}"))
            .to_json();
        let want: serde_json::Value = serde_json::from_str(want).unwrap();
        assert_eq!(got, want, "{src:?}");
    }
    for src in DOCUMENTED_ERRORS {
        assert!(hcl::parse(src, &Limits::default()).is_err(), "{src:?}");
    }
}
