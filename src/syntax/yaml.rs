//! The YAML reader (feature `yaml`): every YAML-specific line of the crate lives here.
//!
//! YAML is read by serde-saphyr (pure safe Rust, YAML 1.2) into the generic tree, with the
//! line and column of every value and key. A stream (what the loader reads) is first read
//! directly from the events of serde-saphyr's parser (`events`), which gives the same tree
//! faster for the YAML manifests are made of and hands anything else to serde-saphyr. Options: YAML 1.2 booleans only (`yes` and `on`
//! stay strings), duplicate keys rejected, nesting capped at [`Limits::max_depth`].
//! Consul itself never reads YAML: the product document's YAML is Consul's JSON shape written
//! as YAML (HCL1's lists of one map included), and that is what this reader expects.

use std::borrow::Cow;
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
pub fn parse<'a>(src: &'a str, limits: &Limits) -> Result<Node<'a>, SyntaxError> {
    limits.check_len(src, "yaml")?;
    serde_saphyr::from_str_with_options::<YNode>(src, options(limits))
        .map(|YNode(mut node)| {
            exact_integers(&mut node, &Lines::of(src));
            node
        })
        .map_err(|e| syntax_error(&e, src))
}

/// The lines of a text, to read a scalar again where the parser found it; split only when
/// a scalar is read again (most documents have no float).
struct Lines<'a> {
    src: &'a str,
    lines: std::cell::OnceCell<Vec<&'a str>>,
}

impl<'a> Lines<'a> {
    fn of(src: &'a str) -> Self {
        Self {
            src,
            lines: std::cell::OnceCell::new(),
        }
    }

    /// The plain scalar starting at `pos`, as written.
    fn scalar_at(&self, pos: Pos) -> Option<&'a str> {
        let lines = self.lines.get_or_init(|| self.src.lines().collect());
        let line = lines.get((pos.line as usize).checked_sub(1)?)?;
        let (start, _) = line
            .char_indices()
            .nth((pos.column as usize).checked_sub(1)?)?;
        let rest = &line[start..];
        let end = rest
            .find(|c: char| c.is_whitespace() || matches!(c, ',' | ']' | '}' | '#'))
            .unwrap_or(rest.len());
        Some(&rest[..end])
    }
}

/// Integers beyond `u64`, which serde-saphyr reads as floats, made [`Value::BigInt`]s as
/// written (messages then echo them exactly).
fn exact_integers(node: &mut Node<'_>, lines: &Lines<'_>) {
    match &mut node.value {
        Value::Float(_) => {
            let text = lines.scalar_at(node.pos).filter(|t| {
                let digits = t.strip_prefix(['-', '+']).unwrap_or(t);
                !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
            });
            if let Some(text) = text {
                node.value = Value::BigInt(text.into());
            }
        }
        Value::List(items) => items.iter_mut().for_each(|n| exact_integers(n, lines)),
        Value::Map(entries) => entries
            .iter_mut()
            .for_each(|e| exact_integers(&mut e.value, lines)),
        _ => {}
    }
}

/// One document of a YAML stream: its number in the stream (from 1, counting the `---`
/// markers as `kubectl apply -f` reads a file) and its tree.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct StreamDocument<'a> {
    /// The document's number in the stream, from 1.
    pub index: u32,
    /// The document, borrowing from the stream's text as [`parse`]'s tree does.
    pub tree: Node<'a>,
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
pub fn parse_stream<'a>(
    src: &'a str,
    limits: &Limits,
) -> Result<Vec<StreamDocument<'a>>, SyntaxError> {
    limits.check_len(src, "yaml")?;
    let options = options(limits);
    let direct = options.budget.as_ref().and_then(|b| events::read(src, b));
    let trees = match direct {
        Some(trees) => trees,
        None => read_by_serde(src, options)?,
    };
    let markers = DocumentMarkers::of(src);
    let lines = Lines::of(src);
    Ok(trees
        .into_iter()
        .map(|mut tree| {
            exact_integers(&mut tree, &lines);
            StreamDocument {
                index: markers.index_at(tree.pos.line),
                tree,
            }
        })
        .collect())
}

/// The stream's documents as serde-saphyr reads them (the reader of every form
/// [`events::read`] leaves to it, and of every error).
fn read_by_serde(src: &str, options: serde_saphyr::Options) -> Result<Vec<Node<'_>>, SyntaxError> {
    serde_saphyr::from_multiple_with_options::<YNode>(src, options)
        .map(|trees| trees.into_iter().map(|YNode(tree)| tree).collect())
        .map_err(|e| syntax_error(&e, src))
}

/// Where the documents of a stream start: the lines of its `---` markers, and whether
/// content comes before the first one (an implicit first document).
struct DocumentMarkers {
    lines: Vec<u32>,
    implicit_first: bool,
}

/// The number of the document of the stream `src` that `line` is in, as [`parse_stream`]
/// numbers them; `None` when the text holds one document or the line is unknown (`0`). For
/// the position of an error, which stops the stream before its documents are numbered.
pub(crate) fn document_of_line(src: &str, line: u32) -> Option<u32> {
    let markers = DocumentMarkers::of(src);
    let documents = markers.lines.len() + usize::from(markers.implicit_first);
    (documents > 1 && line > 0).then(|| markers.index_at(line))
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

/// serde-saphyr's error in the words of the other readers: what was expected, what was found
/// (read from `src` at the error's position), at that line and column; no type names of the
/// library, no advice about its API.
fn syntax_error(e: &serde_saphyr::Error, src: &str) -> SyntaxError {
    let pos = e.location().map_or_else(Pos::default, |l| {
        Pos::new(clamp(l.line()), clamp(l.column()))
    });
    let (expected, over_limit) = expected(e, pos);
    let message = if expected.contains(", found ") {
        expected
    } else {
        format!("{expected}, found {}", found(src, pos))
    };
    if over_limit {
        SyntaxError::over_limit(pos, message)
    } else {
        SyntaxError::new(pos, message)
    }
}

/// What the reader expected where `e` stopped it (`expected …`, or a whole `expected …,
/// found …` when the error says what was found), and whether a limit stopped it.
fn expected(e: &serde_saphyr::Error, pos: Pos) -> (String, bool) {
    use serde_saphyr::Error as E;
    match e {
        E::WithSnippet { error, .. } | E::AliasError { error, .. } => expected(error, pos),
        E::Budget { breach, .. } => (over_budget(breach), true),
        E::AliasReplayLimitExceeded { .. }
        | E::AliasExpansionLimitExceeded { .. }
        | E::AliasReplayStackDepthExceeded { .. }
        | E::AliasReplayCounterOverflow { .. } => (
            "expected aliases that expand to a document within the limits, found more".into(),
            true,
        ),
        E::DuplicateMappingKey { key: Some(k), .. } => {
            let k = crate::text::Quoted(k);
            (
                format!("expected each key once in a map, found {k} again"),
                false,
            )
        }
        E::DuplicateMappingKey { key: None, .. } => (
            "expected each key once in a map, found one again".into(),
            false,
        ),
        E::MultipleDocuments { .. } => ("expected one document, found another".into(), false),
        E::UnknownAnchor { .. } => (
            "expected an alias to an anchor defined before it".into(),
            false,
        ),
        E::Eof { .. } => ("expected a value".into(), false),
        E::ExternalMessage {
            source, msg: text, ..
        } => match source.as_ref() {
            serde_saphyr::ExternalMessageSource::Parser(scan) => scanner(scan.kind(), text, pos),
            _ => (format!("expected valid YAML ({text})"), false),
        },
        // Errors of typed decoding cannot happen (every value is read as it is); anything
        // else keeps serde-saphyr's plain sentence, after what we expected.
        other => (format!("expected valid YAML ({})", plain(other)), false),
    }
}

/// The first line of `e`'s message without serde-saphyr's `error: line L column C:` prefix.
fn plain(e: &serde_saphyr::Error) -> String {
    let full = e.to_string();
    let first = full.lines().next().unwrap_or("invalid YAML").trim();
    let first = first.strip_prefix("error: ").unwrap_or(first);
    match first.split_once(": ") {
        Some((at, rest)) if at.starts_with("line ") => rest.to_owned(),
        _ => first.to_owned(),
    }
}

/// A breached budget as the limit it is.
fn over_budget(breach: &serde_saphyr::budget::BudgetBreach) -> String {
    use serde_saphyr::budget::BudgetBreach as B;
    match breach {
        B::Depth { depth } => format!(
            "expected at most {} levels of nesting (the depth limit), found more",
            depth.saturating_sub(1)
        ),
        B::Nodes { nodes } => format!(
            "expected at most {} values (the limit for a document of this size), found more",
            nodes.saturating_sub(1)
        ),
        _ => "expected a document within the reader's limits (nodes, events, anchors and \
              aliases grow with the size limit), found more"
            .into(),
    }
}

/// What the YAML scanner expected, by the kind of its error, at `pos` (its own sentence,
/// `text`, when the kind has no better wording here).
fn scanner(kind: &serde_saphyr::granit_parser::ErrorKind, text: &str, pos: Pos) -> (String, bool) {
    use serde_saphyr::granit_parser::ErrorKind as K;
    // Errors about something left open are reported where it opened.
    let unclosed = |what: &str| format!("{what} opened at {pos}, found end of input");
    let s = match kind {
        K::UnclosedFlowCollection { open: '[' } | K::UnexpectedEofFlowSequence => {
            unclosed("expected ']' to end the list")
        }
        K::UnclosedFlowCollection { .. }
        | K::UnexpectedEofFlowMapping
        | K::UnexpectedEofImplicitFlowMapping => unclosed("expected '}' to end the map"),
        K::UnclosedQuotedScalar => unclosed("expected a closing quote for the string"),
        K::MismatchedFlowCollectionEnd { open, close } => {
            let (want, what) = if *open == '[' {
                (']', "list")
            } else {
                ('}', "map")
            };
            format!("expected '{want}' to end the {what} opened at {pos}, found '{close}'")
        }
        K::MisplacedFlowCollectionEnd => "expected a value".into(),
        K::ExpectedFlowSequenceSeparator => "expected ',' or ']' in the list".into(),
        K::ExpectedFlowMappingSeparator => "expected ',' or '}' in the map".into(),
        K::ExpectedBlockMappingKey => "expected a key at the indentation of this map".into(),
        K::ExpectedBlockSequenceEntry => {
            "expected a '- ' item at the indentation of this list".into()
        }
        K::TabNotAllowed | K::TabInIndentation | K::TabInBlockIndentation => {
            "expected spaces for indentation, found a tab".into()
        }
        K::TabInPlainScalar => "expected an unquoted value without tabs, found a tab".into(),
        K::InvalidIndentation => "expected the indentation of the enclosing block".into(),
        K::MappingValueNotAllowed | K::InvalidColonPlacement => {
            "expected no ': ' here (quote a value that contains one, or start the map on a \
             line of its own)"
                .into()
        }
        K::UnknownQuotedScalarEscape
        | K::InvalidQuotedScalarHexEscape
        | K::InvalidUnicodeEscape => {
            format!(
                "expected only escapes YAML knows (\\n, \\t, \\\", \\\\, \\x, \\u, \\U, …) in the \
                 string starting at {pos}, found another"
            )
        }
        K::RecursionLimitExceeded => {
            let s = "expected less nesting of '[' and '{' (the reader's depth limit), found more";
            return (s.into(), true);
        }
        K::UnexpectedEof | K::UnexpectedEofBlockSequence | K::UnexpectedEofBlockMapping => {
            "expected more of the document, found end of input".into()
        }
        _ => match text.split_once(", found ") {
            Some((doing, found)) => format!("expected valid YAML {doing}, found {found}"),
            None => format!("expected valid YAML ({text})"),
        },
    };
    (s, false)
}

/// What is at `pos` in `src`: `end of input`, `a tab`, `':'`, `the control character U+0007`.
fn found(src: &str, pos: Pos) -> String {
    let line = src.lines().nth(pos.line.saturating_sub(1) as usize);
    let c = line.and_then(|l| l.chars().nth(pos.column.saturating_sub(1) as usize));
    match c {
        _ if line.is_none() => "end of input".to_owned(),
        None => "the end of the line".to_owned(),
        Some('\t') => "a tab".to_owned(),
        Some(c) if c.is_control() => format!("the control character U+{:04X}", u32::from(c)),
        Some(c) => format!("{c:?}"),
    }
}

fn clamp(v: u64) -> u32 {
    u32::try_from(v).unwrap_or(u32::MAX)
}

/// A tree node read with its position.
struct YNode<'de>(Node<'de>);

/// A tree value without position (the position comes from the `Spanned` around it).
struct YValue<'de>(Value<'de>);

/// A map key, borrowed from the text when the parser can lend it.
struct YKey<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for YKey<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(KeyVisitor)
    }
}

struct KeyVisitor;

impl<'de> Visitor<'de> for KeyVisitor {
    type Value = YKey<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<YKey<'de>, E> {
        Ok(YKey(Cow::Borrowed(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<YKey<'de>, E> {
        Ok(YKey(Cow::Owned(v.to_owned())))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<YKey<'de>, E> {
        Ok(YKey(Cow::Owned(v)))
    }
}

impl<'de> Deserialize<'de> for YNode<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let sp = Spanned::<YValue>::deserialize(d)?;
        let pos = Pos::new(clamp(sp.referenced.line()), clamp(sp.referenced.column()));
        Ok(Self(Node::new(pos, sp.value.0)))
    }
}

impl<'de> Deserialize<'de> for YValue<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = YValue<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a YAML value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<YValue<'de>, E> {
        Ok(YValue(Value::Bool(v)))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<YValue<'de>, E> {
        Ok(YValue(Value::Int(v)))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<YValue<'de>, E> {
        Ok(YValue(i64::try_from(v).map_or_else(
            |_| Value::BigInt(v.to_string().into()),
            Value::Int,
        )))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<YValue<'de>, E> {
        Ok(YValue(Value::Float(v)))
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<YValue<'de>, E> {
        Ok(YValue(Value::String(Cow::Borrowed(v))))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<YValue<'de>, E> {
        Ok(YValue(Value::String(Cow::Owned(v.to_owned()))))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<YValue<'de>, E> {
        Ok(YValue(Value::String(Cow::Owned(v))))
    }

    fn visit_unit<E: de::Error>(self) -> Result<YValue<'de>, E> {
        Ok(YValue(Value::Null))
    }

    fn visit_none<E: de::Error>(self) -> Result<YValue<'de>, E> {
        Ok(YValue(Value::Null))
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<YValue<'de>, D::Error> {
        YValue::deserialize(d)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<YValue<'de>, A::Error> {
        let mut items = Vec::new();
        while let Some(YNode(n)) = seq.next_element()? {
            items.push(n);
        }
        // Grown item by item, a vector keeps room for up to twice its items: the boxed
        // slice gives it back.
        Ok(YValue(Value::List(items.into_boxed_slice())))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<YValue<'de>, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<Spanned<YKey<'de>>>()? {
            let YNode(value) = map.next_value()?;
            entries.push(Entry {
                key: key.value.0,
                key_pos: Pos::new(clamp(key.referenced.line()), clamp(key.referenced.column())),
                value,
            });
        }
        Ok(YValue(Value::Map(entries.into_boxed_slice())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(src: &str) -> Result<Node<'_>, SyntaxError> {
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
        let src = "a: 1\n---\nb: [\n";
        let e = parse_stream(src, &Limits::default()).unwrap_err();
        assert_eq!(document_of_line(src, e.pos.line), Some(2));
        assert_eq!(document_of_line("b: [\n", 1), None);
        assert!(e.pos.line >= 3, "{e}");
        assert!(!e.over_limit);
        // In the readers' own words, as `parse` reports it.
        assert_eq!(
            e.to_string(),
            "3:4: expected ']' to end the list opened at 3:4, found end of input"
        );
        let dup = parse_stream("a: 1\n---\nName: a\nName: b\n", &Limits::default());
        assert_eq!(
            dup.unwrap_err().to_string(),
            "4:1: expected each key once in a map, found \"Name\" again"
        );
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
    fn errors_say_what_was_expected_and_found_in_our_words() {
        // Deeper than 8 levels: serde-saphyr's recursion overflows a test thread's 2 MiB stack
        // past about 50 levels in an unoptimized build (a release build holds 128).
        let deep = format!("a: {}{}", "[".repeat(20), "]".repeat(20));
        let eight = Limits {
            max_depth: 8,
            ..Limits::default()
        };
        let e = parse(&deep, &eight).unwrap_err();
        let want = "1:11: expected at most 8 levels of nesting (the depth limit), found more";
        assert_eq!((e.to_string().as_str(), e.over_limit), (want, true));
        let cases = [
            (
                "Name: a\nName: b\n",
                "2:1: expected each key once in a map, found \"Name\" again",
            ),
            (
                "a: [1, 2\n",
                "1:4: expected ']' to end the list opened at 1:4, found end of input",
            ),
            (
                "{a: 1",
                "1:1: expected '}' to end the map opened at 1:1, found end of input",
            ),
            (
                "a: [1, 2}\n",
                "1:4: expected ']' to end the list opened at 1:4, found '}'",
            ),
            (
                "a: \"x\n",
                "1:4: expected a closing quote for the string opened at 1:4, found end of input",
            ),
            (
                "a:\n\tb: 1\n",
                "2:2: expected spaces for indentation, found a tab",
            ),
            (
                "a: &x 1\nb: *y\n",
                "2:4: expected an alias to an anchor defined before it, found '*'",
            ),
            (
                "---\na: 1\n---\nb: 2\n",
                "4:1: expected one document, found another",
            ),
        ];
        for (src, want) in cases {
            let e = p(src).unwrap_err();
            assert_eq!(e.to_string(), want, "{src:?}");
        }
    }

    #[test]
    fn no_error_names_the_library_or_its_api() {
        let srcs = [
            "a: b: c\n",
            "a: 1\n  b: 2\n",
            "a: \"\\q\"\n",
            "[1, 2]]\n",
            "a: !!binary xx\n",
            "? [a]\n: 1\n",
            "a: |\n x\n  y\n",
            "- a\nb: c\n",
            "a: *\n",
            "%YAML 3.0\n---\na: 1\n",
        ];
        for src in srcs {
            let Err(e) = p(src) else { continue };
            let m = e.message;
            assert!(
                m.starts_with("expected ") && m.contains(", found "),
                "{src:?}: {m}"
            );
            for word in [
                "Options", "Policy", "budget", "from_str", "Depth {", "serde", "error:",
            ] {
                assert!(!m.contains(word), "{src:?}: {m}");
            }
        }
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let src = "[".repeat(100_000);
        assert!(p(&src).is_err());
    }
}
