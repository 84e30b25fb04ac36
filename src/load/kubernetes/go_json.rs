//! The JSON Go's `encoding/json` writes for a value of one of consul-k8s's types, which the
//! admission webhook quotes in some of its messages (`Invalid value:
//! "{\"service\":\"api\",\"peer\":\"east\"}": peer cannot be set with serviceSubset`).
//!
//! As the Go types marshal: fields in the type's order (the schema's), `omitempty` fields
//! left out when zero (`""`, `false`, `0`, an empty list or map, an absent object), objects
//! present even when empty, map keys sorted, a `metav1.Duration` always present and written
//! as Go writes durations (`90s` is `1m30s`), strings escaped as Go escapes them (`<`, `>`
//! and `&` as `\u003c`, `\u003e`, `\u0026`). A float is written in its shortest form, which
//! is Go's for the weights these messages hold (Go switches to an exponent below 1e-6).

use std::fmt::Write;

use crate::load::kubernetes::schema::{F, Shape};
use crate::syntax::tree::{Node, Value};

/// An object of type `fields` (present or not: a struct value, or a pointer Go marshals).
pub(super) fn object(node: Option<&Node<'_>>, fields: &[F]) -> String {
    let entries = match node.map(|n| &n.value) {
        Some(Value::Map(entries)) => &entries[..],
        _ => &[],
    };
    let mut out = String::from("{");
    for f in fields {
        let v = entries.iter().find(|e| e.key == f.crd).map(|e| &e.value);
        if let Some(text) = field(v, f.shape) {
            if out.len() > 1 {
                out.push(',');
            }
            let _ = write!(out, "{}:{text}", string(f.crd));
        }
    }
    out.push('}');
    out
}

/// A list of `item`s (`null` when absent, as a nil slice).
pub(super) fn list(node: Option<&Node<'_>>, item: Shape) -> String {
    match node.map(|n| &n.value) {
        Some(Value::List(items)) => {
            let parts: Vec<String> = items.iter().map(|n| element(n, item)).collect();
            format!("[{}]", parts.join(","))
        }
        _ => "null".to_owned(),
    }
}

/// A field's JSON, or `None` when `omitempty` leaves it out.
fn field(v: Option<&Node<'_>>, shape: Shape) -> Option<String> {
    match shape {
        Shape::Duration => Some(duration(v)),
        Shape::Always => Some(v.map_or_else(|| "\"\"".to_owned(), scalar)),
        Shape::Object(fields) => v
            .filter(|n| n.value != Value::Null)
            .map(|n| object(Some(n), fields)),
        Shape::List(item) => match v.map(|n| &n.value) {
            Some(Value::List(items)) if !items.is_empty() => Some(list(v, *item)),
            _ => None,
        },
        Shape::Map(item) => match v.map(|n| &n.value) {
            Some(Value::Map(entries)) if !entries.is_empty() => Some(map(entries, *item)),
            _ => None,
        },
        Shape::Scalar | Shape::Opaque => v.filter(|n| !is_zero(n)).map(scalar),
    }
}

/// An element of a list or a map's value: written whatever it holds.
fn element(n: &Node<'_>, shape: Shape) -> String {
    match shape {
        Shape::Object(fields) => object(Some(n), fields),
        Shape::Duration => duration(Some(n)),
        Shape::List(item) => list(Some(n), *item),
        Shape::Map(item) => match &n.value {
            Value::Map(entries) => map(entries, *item),
            _ => scalar(n),
        },
        Shape::Scalar | Shape::Always | Shape::Opaque => scalar(n),
    }
}

fn map(entries: &[crate::syntax::tree::Entry], item: Shape) -> String {
    let mut sorted: Vec<_> = entries.iter().collect();
    sorted.sort_by(|a, b| a.key.cmp(&b.key));
    let parts: Vec<String> = sorted
        .iter()
        .map(|e| format!("{}:{}", string(&e.key), element(&e.value, item)))
        .collect();
    format!("{{{}}}", parts.join(","))
}

fn is_zero(n: &Node<'_>) -> bool {
    match &n.value {
        Value::Null => true,
        Value::Bool(b) => !b,
        Value::Int(i) => *i == 0,
        Value::BigInt(_) => false,
        Value::Float(f) => *f == 0.0,
        Value::String(s) => s.is_empty(),
        Value::Expression(s) => s.is_empty(),
        Value::List(items) => items.is_empty(),
        Value::Map(entries) => entries.is_empty(),
    }
}

fn scalar(n: &Node<'_>) -> String {
    match &n.value {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        #[allow(clippy::cast_possible_truncation)] // the floats of these types are float32
        Value::Float(f) => (*f as f32).to_string(),
        Value::String(s) => string(s),
        Value::Expression(s) => string(s),
        Value::BigInt(_) | Value::List(_) | Value::Map(_) => n.to_json().to_string(),
    }
}

/// A string as Go's `encoding/json` escapes it (HTML-safe).
fn string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A `metav1.Duration`: absent is `"0s"`; a duration Go reads is written as Go writes it;
/// anything else as it is (the API server would have refused it before the webhook).
fn duration(v: Option<&Node<'_>>) -> String {
    match v.map(|n| &n.value) {
        None | Some(Value::Null) => "\"0s\"".to_owned(),
        Some(Value::String(s)) => {
            parse_duration(s).map_or_else(|| string(s), |d| string(&go_duration(d)))
        }
        Some(_) => v.map_or_else(String::new, scalar),
    }
}

/// Whether a `metav1.Duration` is over zero.
pub(super) fn positive_duration(v: Option<&Node<'_>>) -> bool {
    match v.map(|n| &n.value) {
        Some(Value::String(s)) => parse_duration(s).is_some_and(|d| d > 0),
        _ => false,
    }
}

/// Go's `time.ParseDuration`: a signed sequence of decimal numbers with units (`ns`, `us`,
/// `µs`, `ms`, `s`, `m`, `h`), in nanoseconds.
fn parse_duration(s: &str) -> Option<i128> {
    let (neg, mut rest) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    if rest == "0" {
        return Some(0);
    }
    if rest.is_empty() {
        return None;
    }
    let mut total: f64 = 0.0;
    while !rest.is_empty() {
        let num_end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let (num, after) = rest.split_at(num_end);
        if num.is_empty() || num == "." {
            return None;
        }
        let unit_end = after
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(after.len());
        let (unit, next) = after.split_at(unit_end);
        let scale: f64 = match unit {
            "ns" => 1.0,
            "us" | "µs" | "μs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            _ => return None,
        };
        total += num.parse::<f64>().ok()? * scale;
        rest = next;
    }
    #[allow(clippy::cast_possible_truncation)] // durations fit: Go's own are 64-bit
    let ns = total.round() as i128;
    Some(if neg { -ns } else { ns })
}

/// Go's `time.Duration.String`: `1h0m0s`, `1m30s`, `1.5s`, `300ms`, `0s`.
fn go_duration(ns: i128) -> String {
    let sign = if ns < 0 { "-" } else { "" };
    let u = ns.unsigned_abs();
    if u == 0 {
        return "0s".to_owned();
    }
    if u < 1_000_000_000 {
        let (unit, scale) = if u < 1_000 {
            ("ns", 1)
        } else if u < 1_000_000 {
            ("µs", 1_000)
        } else {
            ("ms", 1_000_000)
        };
        return format!("{sign}{}{unit}", fraction(u, scale));
    }
    let secs = u / 1_000_000_000;
    let (h, m) = (secs / 3600, secs / 60 % 60);
    let s = fraction(u % 60_000_000_000, 1_000_000_000);
    if h > 0 {
        format!("{sign}{h}h{m}m{s}s")
    } else if m > 0 {
        format!("{sign}{m}m{s}s")
    } else {
        format!("{sign}{s}s")
    }
}

/// `v / scale` with its fraction, trailing zeros left out (`1500, 1000` is `1.5`).
fn fraction(v: u128, scale: u128) -> String {
    let (whole, frac) = (v / scale, v % scale);
    if frac == 0 {
        return whole.to_string();
    }
    let width = scale.to_string().len() - 1;
    let digits = format!("{frac:0width$}");
    format!("{whole}.{}", digits.trim_end_matches('0'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_and_written_as_go_does() {
        let cases = [
            ("90s", "1m30s"),
            ("1h", "1h0m0s"),
            ("1.5s", "1.5s"),
            ("300ms", "300ms"),
            ("1500ms", "1.5s"),
            ("2us", "2µs"),
            ("0", "0s"),
            ("-5m", "-5m0s"),
            ("1h30m15.25s", "1h30m15.25s"),
        ];
        for (input, written) in cases {
            assert_eq!(
                go_duration(parse_duration(input).unwrap()),
                written,
                "{input}"
            );
        }
        assert!(parse_duration("5 s").is_none());
        assert!(parse_duration("").is_none());
        assert!(parse_duration("10").is_none());
    }

    #[test]
    fn objects_and_lists_as_go_marshals_them() {
        use crate::load::kubernetes::schema::{self, Shape};
        let route = serde_json::json!({
            "destination": {"prefixRewrite": "/v2", "service": "api"}
        });
        let route = Node::from_json(&route);
        // Fields in the type's order, durations always present.
        assert_eq!(
            object(Some(&route), schema::ROUTE),
            r#"{"destination":{"service":"api","prefixRewrite":"/v2","idleTimeout":"0s","requestTimeout":"0s"}}"#
        );
        let splits = serde_json::json!([
            {"service": "web", "weight": 50},
            {"weight": 40.5, "service": "web-v2"}
        ]);
        let splits = Node::from_json(&splits);
        assert_eq!(
            list(Some(&splits), Shape::Object(schema::SPLIT)),
            r#"[{"weight":50,"service":"web"},{"weight":40.5,"service":"web-v2"}]"#
        );
        assert_eq!(list(None, Shape::Object(schema::SPLIT)), "null");
    }

    #[test]
    fn strings_escaped_as_go_escapes_them() {
        assert_eq!(
            string("a<b>&\"\\\n\u{1}"),
            "\"a\\u003cb\\u003e\\u0026\\\"\\\\\\n\\u0001\""
        );
    }
}
