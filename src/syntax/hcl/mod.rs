//! The HCL1 reader: HCL as Consul reads it, into the generic [`Node`] tree.
//!
//! Consul decodes HCL with `github.com/hashicorp/hcl` version 1 into a
//! `map[string]interface{}`. This module reproduces that decoder: the same scanner (token
//! rules, escapes, heredocs, numbers), the same parser (including its permissive corners) and
//! the same generic decoding, so that [`parse`] followed by [`Node::to_json`] gives what the Go
//! decoder prints. The differential test `tests/syntax/hcl_oracle.rs` checks this against the Go
//! package itself.
//!
//! The shapes that matter to a decoder built on top:
//!
//! - `a { b = 1 }` and `a = { b = 1 }` both give `{"a": [{"b": 1}]}`: an object is a list of
//!   one map, except inside a `[ … ]` list, where `[{ b = 1 }]` gives `[{"b": 1}]`.
//! - `a "x" { b = 1 }` gives `{"a": [{"x": [{"b": 1}]}]}`; every label adds one
//!   list-of-one-map level; several blocks with labels under the same key give one map each:
//!   `s "a" {} s "b" {}` gives `{"s": [{"a": [{}]}, {"b": [{}]}]}`.
//! - Repeated blocks append: `t {} t { z = 1 }` gives `{"t": [{}, {"z": 1}]}`; repeated lists
//!   concatenate; a repeated scalar keeps the last value, converted to the first one's type
//!   where Go can (`a = "x"` then `a = 10` gives the string `"10"`), and is an error where it
//!   cannot.
//! - Mixing a labelled block with an unlabelled use of the same key (compared without case)
//!   is an error, as in Consul.
//! - Text whose first non-space character is `{` is read as HCL1's JSON dialect, as the Go
//!   package does: `{"service": {"web": {"port": 80}}}` flattens to what
//!   `service "web" { port = 80 }` gives, `null` reads as `""`, and nothing after the first
//!   object is read.
//!
//! # Where each part of the Go package is
//!
//! Text goes through the scanner, the parser (which builds the syntax tree) and the decoder
//! (which builds the positioned tree); the JSON dialect has its own scanner and parser and
//! meets HCL again at the decoder. Each file uses only files listed below it:
//!
//! - `mod.rs` (this file): [`parse`], which picks the dialect and runs the stages;
//! - `json_dialect.rs`: `json/scanner`, `json/parser` and `flattenObjects`;
//! - `parser.rs`: `hcl/parser`, with its permissive corners;
//! - `scanner.rs`: `hcl/scanner`, the tokens of HCL (comments, identifiers, numbers, strings,
//!   heredocs);
//! - `cursor.rs`: the character reader under both scanners (Go's `next`, `unread`, `peek`,
//!   line and column), and the number tails and string escapes both dialects share;
//! - `decoder.rs`: `hcl.Decode` into `map[string]interface{}`, as tree nodes with positions;
//! - `ast.rs`: the part of `hcl/ast` the decoder reads;
//! - `token.rs`: `hcl/token`, token kinds and `Token.Value` (unquoted strings, unindented
//!   heredocs);
//! - `strconv.rs`: Go's `strconv` as HCL1 uses it (both `Unquote`s, `ParseInt`, `ParseFloat`);
//! - `unicode.rs`: the scanners' character classes, with Go 1.19's Unicode tables.
//!
//! [`Node::to_json`]: crate::syntax::tree::Node::to_json

use std::borrow::Cow;

use crate::syntax::tree::{Limits, Node, SyntaxError};

mod ast;
mod cursor;
mod decoder;
mod json_dialect;
mod parser;
mod scanner;
mod strconv;
mod token;
mod unicode;

use crate::syntax::hcl::unicode::is_go_space;

/// The deepest nesting this reader accepts whatever [`Limits::max_depth`] says: the reader
/// recurses once per level, and this bound keeps it well inside a 2 MiB thread stack even in
/// an unoptimized build.
pub const MAX_SUPPORTED_DEPTH: usize = 256;

/// Reads an HCL1 document into the generic tree, exactly as Consul's HCL1 decoder would.
///
/// The result is always a [`Value::Map`](crate::syntax::tree::Value::Map) at the top. Blocks become lists of maps, as in
/// Consul (see the [module documentation](self)).
///
/// # Errors
///
/// A [`SyntaxError`] with the line and column of the problem when the text is not HCL1 that
/// Consul accepts, when it is larger than `limits.max_bytes`, or when it nests lists, objects
/// and block labels deeper than `limits.max_depth` (or [`MAX_SUPPORTED_DEPTH`]).
///
/// # Examples
///
/// ```
/// use meshroute::tree::Limits;
///
/// let src = r#"
/// service {
///   name = "web"
///   proxy {
///     upstreams = [
///       { destination_name = "db" mesh_gateway { mode = "local" } },
///     ]
///   }
/// }
/// "#;
/// let node = meshroute::hcl::parse(src, &Limits::default())?;
/// assert_eq!(
///     node.to_json(),
///     serde_json::json!({"service": [{
///         "name": "web",
///         "proxy": [{"upstreams": [
///             {"destination_name": "db", "mesh_gateway": [{"mode": "local"}]}
///         ]}]
///     }]})
/// );
///
/// let err = meshroute::hcl::parse("mode = local", &Limits::default()).unwrap_err();
/// assert_eq!(err.pos.line, 1);
/// assert_eq!(err.pos.column, 8);
/// # Ok::<(), meshroute::tree::SyntaxError>(())
/// ```
pub fn parse<'a>(src: &'a str, limits: &Limits) -> Result<Node<'a>, SyntaxError> {
    limits.check_len(src, "hcl")?;
    // Tokens keep 32-bit offsets.
    Limits::default()
        .with_max_bytes(u32::MAX as usize)
        .check_len(src, "hcl")?;
    let max_depth = limits.max_depth.min(MAX_SUPPORTED_DEPTH);
    if src.chars().find(|&c| !is_go_space(c)) == Some('{') {
        return json_dialect::parse(src, max_depth, parser::Budget::of(limits));
    }
    let budget = parser::Budget::of(limits);
    match crlf_to_lf(src) {
        Cow::Borrowed(text) => decoder::decode(text, parser::parse(text, max_depth, budget)?),
        // The tree borrows from the text: from a text made here, it owns its strings.
        Cow::Owned(text) => {
            decoder::decode(&text, parser::parse(&text, max_depth, budget)?).map(Node::into_owned)
        }
    }
}

/// The Go parser turns every "\r\n" into "\n" before scanning; removing the '\r' before a
/// '\n' never moves another character's line or column.
fn crlf_to_lf(src: &str) -> Cow<'_, str> {
    if src.contains("\r\n") {
        Cow::Owned(src.replace("\r\n", "\n"))
    } else {
        Cow::Borrowed(src)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::tree::Pos;
    use serde_json::json;

    fn show(r: &Result<Node, SyntaxError>) -> String {
        match r {
            Ok(n) => n.to_json().to_string(),
            Err(e) => format!("error {e}"),
        }
    }

    fn ok(src: &str) -> serde_json::Value {
        let r = parse(src, &Limits::default());
        assert!(r.is_ok(), "{src:?}: {}", show(&r));
        r.unwrap().to_json()
    }

    fn err(src: &str) -> SyntaxError {
        let r = parse(src, &Limits::default());
        assert!(r.is_err(), "{src:?} parsed: {}", show(&r));
        r.unwrap_err()
    }

    #[test]
    fn blocks_are_lists_of_one_map() {
        assert_eq!(ok("a { b = 1 }"), json!({"a": [{"b": 1}]}));
        assert_eq!(ok("a = { b = 1 }"), json!({"a": [{"b": 1}]}));
        assert_eq!(ok("a = [{ b = 1 }]"), json!({"a": [{"b": 1}]}));
        assert_eq!(ok("a {}"), json!({"a": [{}]}));
        assert_eq!(ok(""), json!({}));
    }

    #[test]
    fn labels_nest() {
        assert_eq!(
            ok(r#"service "web" { port = 80 }"#),
            json!({"service": [{"web": [{"port": 80}]}]})
        );
        assert_eq!(
            ok(r#"s "a" {x=1} s "b" {y=2}"#),
            json!({"s": [{"a": [{"x": 1}]}, {"b": [{"y": 2}]}]})
        );
        assert_eq!(ok(r#"a b "c" {}"#), json!({"a": [{"b": [{"c": [{}]}]}]}));
        err("a = 1\na \"x\" { b = 1 }");
    }

    #[test]
    fn repeats_merge_like_go() {
        assert_eq!(ok("t {} t { z = 1 }"), json!({"t": [{}, {"z": 1}]}));
        assert_eq!(ok("l = [1]\nl = [2]"), json!({"l": [1, 2]}));
        assert_eq!(ok("a = 1\na = 2"), json!({"a": 2}));
        assert_eq!(ok("a = \"x\"\na = 10"), json!({"a": "10"}));
        assert_eq!(ok("a = 1\na = \"0x10\""), json!({"a": 16}));
        err("a = 1\na = \"x\"");
        err("a = true\na = 1");
    }

    #[test]
    fn parser_quirks() {
        assert_eq!(ok("x { a = } }"), json!({"x": [{}]}));
        assert_eq!(ok("a = 1\nb ="), json!({"a": 1}));
        assert_eq!(ok("m = [[1] [2],,]"), json!({"m": [[1], [2]]}));
        assert_eq!(ok("a = 1, b = 2"), json!({"a": 1, "b": 2}));
    }

    #[test]
    fn values() {
        assert_eq!(
            ok("a = 0x10\nb = -3\nc = 1.5\nd = 1e3\ne = 010\nf = true"),
            json!({"a": 16, "b": -3, "c": 1.5, "d": 1000.0, "e": 8, "f": true})
        );
        assert_eq!(ok(r#"s = "a\tb\u00e9\x41""#), json!({"s": "a\tbéA"}));
        assert_eq!(ok(r#"s = "${var.x}""#), json!({"s": "${var.x}"}));
        assert_eq!(ok("s = <<EOF\nhello\nEOF\n"), json!({"s": "hello\n"}));
        assert_eq!(ok("s = <<-EOF\n  hi\n  EOF\n"), json!({"s": "hi\n"}));
        assert_eq!(ok("a-b.c = 1"), json!({"a-b.c": 1}));
        assert_eq!(
            ok("meta { \"version\" = \"1\" }"),
            json!({"meta": [{"version": "1"}]})
        );
    }

    #[test]
    fn errors_name_what_and_where() {
        let e = err("mode = local");
        assert_eq!(e.pos, Pos::new(1, 8));
        assert!(e.message.contains("bare word local"), "{}", e.message);
        let e = err("a {\n  b = 1\n");
        assert_eq!(e.pos.line, 3);
        assert!(e.message.starts_with("expected '}'"), "{}", e.message);
        let e = err("s = \"abc\n");
        assert_eq!(e.pos.line, 1);
        err("a = [1 2]");
        err("true = 1");
    }

    #[test]
    fn limits() {
        let deep = "a = ".to_owned() + &"[".repeat(100_000);
        let e = err(&deep);
        assert!(e.message.contains("nesting"), "{}", e.message);
        let deep = "a ".to_owned() + &"{ a ".repeat(100_000);
        assert!(err(&deep).message.contains("nesting"));
        let limits = Limits {
            max_bytes: 4,
            ..Limits::default()
        };
        assert!(
            parse("a = 12", &limits)
                .unwrap_err()
                .message
                .contains("bytes")
        );
    }

    #[test]
    fn a_document_holds_at_most_one_value_for_every_eight_bytes_of_the_limit() {
        let limits = Limits::default().with_max_bytes(1 << 20);
        let max = limits.max_values();
        let list = |n: usize| format!("a = [{}]", vec!["0"; n].join(","));
        assert!(
            parse(&list(max - 1), &limits).is_ok(),
            "the item and its numbers"
        );
        let e = parse(&list(max), &limits).unwrap_err();
        assert!(e.over_limit && e.message.starts_with("expected at most 131072 values"));
        let json = |n: usize| format!("{{\"a\": [{}]}}", vec!["0"; n].join(","));
        assert!(parse(&json(max - 1), &limits).is_ok());
        assert!(parse(&json(max), &limits).unwrap_err().over_limit);
    }
}
