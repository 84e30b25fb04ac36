//! The YAML reader (feature `yaml`): every YAML-specific line of the crate lives here.
//!
//! YAML is read by serde-saphyr (pure safe Rust, YAML 1.2) into the generic tree, with the
//! line and column of every value and key. A stream (what the loader reads) is first read
//! directly from the events of serde-saphyr's parser (`events`), which gives the same tree
//! faster for the YAML manifests are made of and hands anything else to serde-saphyr. Options: YAML 1.2 booleans only (`yes` and `on`
//! stay strings), duplicate keys rejected, nesting capped at [`Limits::max_depth`].
//! Consul itself never reads YAML: the product document's YAML is Consul's JSON shape written
//! as YAML (HCL1's lists of one map included), and that is what this reader expects.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;

use crate::syntax::tree::{Entry, Limits, Node, Pos, SyntaxError, Value};

#[cfg(test)]
mod direct_tests;
mod events;
mod scalar;

/// Reads YAML text (one document) into the generic tree.
///
/// ```
/// # #[cfg(feature = "yaml")] {
/// use meshroute::tree::{Limits, Value};
///
/// let tree = meshroute::yaml::parse("Kind: proxy-defaults\nMeshGateway:\n- Mode: local\n", &Limits::default())?;
/// let Value::Map(entries) = &tree.value else { unreachable!() };
/// assert_eq!(entries[1].key, "MeshGateway");
/// assert_eq!(entries[1].key_pos.line, 2);
/// assert!(matches!(entries[1].value.value, Value::List(_)));
/// # }
/// # Ok::<(), meshroute::tree::SyntaxError>(())
/// ```
///
/// # Errors
///
/// A [`SyntaxError`] for text that is not YAML, has duplicate keys, non-string keys, or is over
/// the limits.
pub fn parse(src: &str, limits: &Limits) -> Result<Node, SyntaxError> {
    limits.check_len(src, "yaml")?;
    serde_saphyr::from_str_with_options::<YNode>(src, options(limits))
        .map(|YNode(node)| node)
        .map_err(|e| syntax_error(&e))
}

/// One document of a YAML stream: its number in the stream (from 1, counting the `---`
/// markers as `kubectl apply -f` reads a file) and its tree.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct StreamDocument {
    /// The document's number in the stream, from 1.
    pub index: u32,
    /// The document.
    pub tree: Node,
}

/// Reads a YAML stream (documents separated by `---`, as Kubernetes manifests are written)
/// into one tree per document. Empty and `null` documents are left out, as `kubectl` leaves
/// them out; the others keep their number in the stream, and every position is a line of
/// the whole text.
///
/// ```
/// # #[cfg(feature = "yaml")] {
/// use meshroute::tree::Limits;
///
/// let docs = meshroute::yaml::parse_stream("a: 1\n---\n---\nb: 2\n", &Limits::default())?;
/// assert_eq!(docs.len(), 2);
/// assert_eq!((docs[1].index, docs[1].tree.pos.line), (3, 4));
/// # }
/// # Ok::<(), meshroute::tree::SyntaxError>(())
/// ```
///
/// # Errors
///
/// A [`SyntaxError`] for text that is not YAML (in any of its documents), has duplicate
/// keys, non-string keys, or is over the limits.
pub fn parse_stream(src: &str, limits: &Limits) -> Result<Vec<StreamDocument>, SyntaxError> {
    limits.check_len(src, "yaml")?;
    let options = options(limits);
    let direct = options.budget.as_ref().and_then(|b| events::read(src, b));
    let trees = match direct {
        Some(trees) => trees,
        None => read_by_serde(src, options)?,
    };
    let markers = DocumentMarkers::of(src);
    Ok(trees
        .into_iter()
        .map(|tree| StreamDocument {
            index: markers.index_at(tree.pos.line),
            tree,
        })
        .collect())
}

/// The stream's documents as serde-saphyr reads them (the reader of every form
/// [`events::read`] leaves to it, and of every error).
fn read_by_serde(src: &str, options: serde_saphyr::Options) -> Result<Vec<Node>, SyntaxError> {
    serde_saphyr::from_multiple_with_options::<YNode>(src, options)
        .map(|trees| trees.into_iter().map(|YNode(tree)| tree).collect())
        .map_err(|e| syntax_error(&e))
}

/// Where the documents of a stream start: the lines of its `---` markers, and whether
/// content comes before the first one (an implicit first document).
struct DocumentMarkers {
    lines: Vec<u32>,
    implicit_first: bool,
}

impl DocumentMarkers {
    fn of(src: &str) -> Self {
        let mut lines = Vec::new();
        let mut implicit_first = false;
        for (i, line) in src.lines().enumerate() {
            let n = u32::try_from(i + 1).unwrap_or(u32::MAX);
            if is_marker(line) {
                lines.push(n);
            } else if lines.is_empty() && is_content(line) {
                implicit_first = true;
            }
        }
        Self {
            lines,
            implicit_first,
        }
    }

    /// The number of the document a line belongs to.
    fn index_at(&self, line: u32) -> u32 {
        let before = self.lines.partition_point(|&m| m <= line);
        let n = u32::try_from(before).unwrap_or(u32::MAX) + u32::from(self.implicit_first);
        n.max(1)
    }
}

/// A document start marker: `---` at the start of a line, alone or followed by a space.
fn is_marker(line: &str) -> bool {
    line.strip_prefix("---")
        .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t', '\r']))
}

/// A line with document content: not blank, not a comment, not a directive (`%YAML`).
fn is_content(line: &str) -> bool {
    let t = line.trim_start();
    !(t.is_empty() || t.starts_with('#') || line.starts_with('%'))
}

/// The reader's options: YAML 1.2 booleans, duplicate keys rejected, nesting capped.
fn options(limits: &Limits) -> serde_saphyr::Options {
    let mut options = serde_saphyr::Options::default();
    options.strict_booleans = true;
    let mut budget = serde_saphyr::Budget::default();
    budget.max_depth = limits.max_depth;
    // Node and event caps scale with the size cap (serde-saphyr's defaults stop at 250,000
    // nodes, below a 10,000-service file); alias expansion keeps its own default caps.
    budget.max_nodes = budget.max_nodes.max(limits.max_bytes / 4);
    budget.max_events = budget.max_events.max(limits.max_bytes / 2);
    // A stream's documents likewise (the default stops at 1,024, below a cluster's
    // manifests): one per 16 bytes of the size cap.
    budget.max_documents = budget.max_documents.max(limits.max_bytes / 16);
    options.budget = Some(budget);
    options
}

fn syntax_error(e: &serde_saphyr::Error) -> SyntaxError {
    let pos = e.location().map_or_else(Pos::default, |l| {
        Pos::new(clamp(l.line()), clamp(l.column()))
    });
    let msg = e.to_string();
    let first = msg.lines().next().unwrap_or("invalid YAML").trim();
    // serde-saphyr reports its node and depth caps as a breached budget; the scanner's own
    // cap on flow nesting comes through as its fixed message.
    if matches!(e, serde_saphyr::Error::Budget { .. })
        || first.ends_with("recursion limit exceeded")
    {
        SyntaxError::over_limit(pos, first.to_owned())
    } else {
        SyntaxError::new(pos, first.to_owned())
    }
}

fn clamp(v: u64) -> u32 {
    u32::try_from(v).unwrap_or(u32::MAX)
}

/// A tree node read with its position.
struct YNode(Node);

/// A tree value without position (the position comes from the `Spanned` around it).
struct YValue(Value);

impl<'de> Deserialize<'de> for YNode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let sp = Spanned::<YValue>::deserialize(d)?;
        let pos = Pos::new(clamp(sp.referenced.line()), clamp(sp.referenced.column()));
        Ok(Self(Node::new(pos, sp.value.0)))
    }
}

impl<'de> Deserialize<'de> for YValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = YValue;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a YAML value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<YValue, E> {
        Ok(YValue(Value::Bool(v)))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<YValue, E> {
        Ok(YValue(Value::Int(v)))
    }

    #[allow(clippy::cast_precision_loss)] // past i64 a number is a float, as in JSON readers
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<YValue, E> {
        Ok(YValue(
            i64::try_from(v).map_or_else(|_| Value::Float(v as f64), Value::Int),
        ))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<YValue, E> {
        Ok(YValue(Value::Float(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<YValue, E> {
        Ok(YValue(Value::String(v.to_owned())))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<YValue, E> {
        Ok(YValue(Value::String(v)))
    }

    fn visit_unit<E: de::Error>(self) -> Result<YValue, E> {
        Ok(YValue(Value::Null))
    }

    fn visit_none<E: de::Error>(self) -> Result<YValue, E> {
        Ok(YValue(Value::Null))
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<YValue, D::Error> {
        YValue::deserialize(d)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<YValue, A::Error> {
        let mut items = Vec::new();
        while let Some(YNode(n)) = seq.next_element()? {
            items.push(n);
        }
        Ok(YValue(Value::List(items)))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<YValue, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<Spanned<String>>()? {
            let YNode(value) = map.next_value()?;
            entries.push(Entry {
                key: key.value,
                key_pos: Pos::new(clamp(key.referenced.line()), clamp(key.referenced.column())),
                value,
            });
        }
        Ok(YValue(Value::Map(entries)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(src: &str) -> Result<Node, SyntaxError> {
        parse(src, &Limits::default())
    }

    #[test]
    fn yaml_1_1_booleans_stay_strings() {
        let n = p("a: yes\nb: on\nc: true\n").unwrap();
        let j = n.to_json();
        assert_eq!(j["a"], "yes");
        assert_eq!(j["b"], "on");
        assert_eq!(j["c"], true);
    }

    #[test]
    fn duplicate_keys_are_rejected() {
        let e = p("Name: a\nName: b\n").unwrap_err();
        assert_eq!(e.pos.line, 2, "{e}");
    }

    #[test]
    fn positions_are_recorded() {
        let n = p("a:\n  - b: 1\n").unwrap();
        let Value::Map(entries) = &n.value else {
            panic!()
        };
        let Value::List(items) = &entries[0].value.value else {
            panic!()
        };
        assert_eq!(items[0].pos.line, 2);
    }

    #[test]
    fn a_stream_numbers_its_documents_as_kubectl_counts_them() {
        let src = "# leading comment\na: 1\n---\n---\nb: 2\n--- # marker comment\nc: 3\n...\n";
        let docs = parse_stream(src, &Limits::default()).unwrap();
        let got: Vec<(u32, u32)> = docs.iter().map(|d| (d.index, d.tree.pos.line)).collect();
        // The empty third document is left out; the others keep their numbers and lines.
        assert_eq!(got, [(1, 2), (3, 5), (4, 7)]);
        let docs = parse_stream("---\na: 1\n", &Limits::default()).unwrap();
        assert_eq!(docs[0].index, 1);
        assert!(parse_stream("", &Limits::default()).unwrap().is_empty());
    }

    #[test]
    fn an_error_in_any_document_stops_the_stream_at_its_line() {
        let e = parse_stream("a: 1\n---\nb: [\n", &Limits::default()).unwrap_err();
        assert!(e.pos.line >= 3, "{e}");
        assert!(!e.over_limit);
    }

    #[test]
    fn markers_need_a_line_of_their_own_start() {
        assert!(is_marker("---"));
        assert!(is_marker("--- !tag"));
        assert!(!is_marker("----"));
        assert!(!is_marker(" ---"));
        assert!(!is_marker("---x"));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let src = "[".repeat(100_000);
        assert!(p(&src).is_err());
    }
}
