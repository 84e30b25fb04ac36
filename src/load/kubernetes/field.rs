//! What the admission webhook's rules share: reading the spec by path, and one rejected
//! field as Kubernetes words it (`spec.failover[*].datacenters: Invalid value: …: …`).

use crate::load::kubernetes::{get, map_of};
use crate::model::mode::go_quote;
use crate::syntax::tree::{Entry, Node, Pos, Value};

/// A value of the spec by its path of exact keys, with where it is written.
pub(super) fn value<'t>(spec: &'t [Entry<'t>], path: &[&str]) -> Option<&'t Node<'t>> {
    let (last, parents) = path.split_last()?;
    let mut entries = spec;
    for p in parents {
        entries = map_of(get(entries, p)?)?;
    }
    get(entries, last)
}

pub(super) fn str_value<'t>(spec: &'t [Entry<'t>], path: &[&str]) -> Option<(&'t str, Pos)> {
    let n = value(spec, path)?;
    match &n.value {
        Value::String(s) => Some((s, n.pos)),
        _ => None,
    }
}

/// One rejected field, as the webhook words it.
pub(super) struct FieldError {
    pub(super) path: String,
    pub(super) pos: Pos,
    pub(super) body: String,
}

impl FieldError {
    /// `Invalid value: <value>: <detail>`.
    pub(super) fn invalid(path: impl Into<String>, pos: Pos, value: &str, detail: &str) -> Self {
        Self {
            path: path.into(),
            pos,
            body: format!("Invalid value: {value}: {detail}"),
        }
    }

    /// `Required value: <detail>`.
    pub(super) fn required(path: impl Into<String>, pos: Pos, detail: &str) -> Self {
        Self {
            path: path.into(),
            pos,
            body: format!("Required value: {detail}"),
        }
    }
}

/// `must be one of "a", "b"`.
pub(super) fn not_in(values: &[&str]) -> String {
    format!("must be one of \"{}\"", values.join("\", \""))
}

/// The check that a string field is one of `allowed`.
pub(super) fn one_of(
    spec: &[Entry<'_>],
    path: &[&str],
    allowed: &[&str],
    out: &mut Vec<FieldError>,
) {
    if let Some((v, pos)) = str_value(spec, path)
        && !allowed.contains(&v)
    {
        let p = format!("spec.{}", path.join("."));
        out.push(FieldError::invalid(p, pos, &go_quote(v), &not_in(allowed)));
    }
}
