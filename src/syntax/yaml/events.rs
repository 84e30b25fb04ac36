//! The direct reader: a YAML stream read from granit-parser's events (the parser
//! serde-saphyr itself runs, with the same options) straight into the generic tree, without
//! serde's per-node `Spanned` wrappers, which cost more than the parse.
//!
//! It reads the YAML that manifests are made of: untagged scalars, block and flow
//! collections, string keys. Anything else it hands back ([`read`] answers `None`) and the
//! stream is read by serde-saphyr: tags, anchors and aliases, merge keys (`<<`),
//! non-string or complex keys, duplicate keys, non-finite floats, documents with a `%YAML`
//! directive, syntax errors, and streams near a budget cap, so that every error message,
//! and every value of those rarer forms, stays serde-saphyr's. Where it does answer, the
//! answer is what serde-saphyr gives: the same values, positions (the event's start, column
//! from 1), and documents (empty and null ones left out); `direct_tests` checks that on
//! generated streams and on every YAML file of the repository.

use std::borrow::Cow;

use serde_saphyr::Budget;
use serde_saphyr::granit_parser::{Event, Options, Parser, ScalarStyle, Span};

use super::scalar::{Plain, plain};
use crate::syntax::gather::Gathered;
use crate::syntax::tree::{Entry, Node, Pos, Value, has_repeated_keys};

/// A collection being read, its elements on the reader's stack of their kind.
enum Frame<'a> {
    List(Pos, Gathered<Node<'a>>),
    /// A map, and the key whose value comes next.
    Map(Pos, Gathered<Entry<'a>>, Option<(Cow<'a, str>, Pos)>),
}

/// What is counted against serde-saphyr's budget.
#[derive(Default)]
struct Counts {
    events: usize,
    nodes: usize,
    scalar_bytes: usize,
    comment_bytes: usize,
    documents: usize,
}

impl Counts {
    /// Whether the stream comes within one of a cap (serde-saphyr then decides).
    fn near(&self, b: &Budget, depth: usize) -> bool {
        self.events >= b.max_events
            || self.nodes >= b.max_nodes
            || self.scalar_bytes >= b.max_total_scalar_bytes
            || self.comment_bytes >= b.max_total_comment_bytes
            || self.documents >= b.max_documents
            || depth >= b.max_depth
    }
}

/// The stream's documents (their roots), or `None` when serde-saphyr must read it.
/// Scalars written without escapes are borrowed from `src`.
pub(super) fn read<'a>(src: &'a str, budget: &Budget) -> Option<Vec<Node<'a>>> {
    let mut r = Reader {
        stack: Vec::new(),
        nodes: Vec::new(),
        entries: Vec::new(),
        root: None,
        docs: Vec::new(),
        counts: Counts::default(),
    };
    for item in Parser::new_from_str_with_options(src, parser_options(budget)) {
        let (event, span) = item.ok()?;
        r.counts.events += 1;
        r.event(event, &span)?;
        if r.counts.near(budget, r.stack.len()) {
            return None;
        }
    }
    Some(r.docs)
}

/// The parser options serde-saphyr derives from the same budget.
fn parser_options(b: &Budget) -> Options {
    let mut o = Options::default();
    o.simple_key_max_lookahead = b.simple_key_max_lookahead;
    o.flow_nesting_limit = b.flow_nesting_limit;
    o.block_nesting_limit = o.block_nesting_limit.max(b.max_depth.saturating_add(1));
    o.emit_comments = true;
    o.max_buffered_comment_events = b.max_buffered_comment_events;
    o
}

struct Reader<'a> {
    stack: Vec<Frame<'a>>,
    /// The elements of the lists being read, innermost last.
    nodes: Vec<Node<'a>>,
    /// The entries of the maps being read, innermost last.
    entries: Vec<Entry<'a>>,
    /// The current document's root, once read.
    root: Option<Node<'a>>,
    docs: Vec<Node<'a>>,
    counts: Counts,
}

impl<'a> Reader<'a> {
    /// Takes one event; `None` hands the stream to serde-saphyr.
    fn event(&mut self, event: Event<'a>, span: &Span) -> Option<()> {
        match event {
            Event::StreamStart | Event::StreamEnd => {}
            Event::Comment(text, _) => self.counts.comment_bytes += text.len(),
            // A `%YAML` directive may change how scalars read.
            Event::DocumentStart(_, version) => {
                if version.is_some() {
                    return None;
                }
                self.counts.documents += 1;
            }
            Event::DocumentEnd => self.end_document(),
            Event::Scalar(text, style, anchor, tag) => {
                if anchor != 0 || tag.is_some() {
                    return None;
                }
                self.counts.nodes += 1;
                self.counts.scalar_bytes += text.len();
                self.scalar(text, style, pos(span))?;
            }
            Event::SequenceStart(_, anchor, tag) => {
                let frame = Frame::List(pos(span), Gathered::at(&self.nodes));
                self.open(anchor, tag.is_some(), frame)?;
            }
            Event::MappingStart(_, anchor, tag) => {
                let frame = Frame::Map(pos(span), Gathered::at(&self.entries), None);
                self.open(anchor, tag.is_some(), frame)?;
            }
            Event::SequenceEnd | Event::MappingEnd => self.close()?,
            // Aliases, and events of options this reader does not set.
            _ => return None,
        }
        Some(())
    }

    /// Whether the innermost collection is a map waiting for a key.
    fn awaits_key(&self) -> bool {
        matches!(self.stack.last(), Some(Frame::Map(_, _, None)))
    }

    /// A collection starts: not as a key, untagged, without an anchor.
    fn open(&mut self, anchor: usize, tagged: bool, frame: Frame<'a>) -> Option<()> {
        if anchor != 0 || tagged || self.awaits_key() {
            return None;
        }
        self.counts.nodes += 1;
        self.stack.push(frame);
        Some(())
    }

    /// A collection ends: a map's keys must be distinct.
    fn close(&mut self) -> Option<()> {
        let node = match self.stack.pop()? {
            Frame::List(p, items) => Node::new(p, Value::List(items.take(&mut self.nodes))),
            Frame::Map(p, entries, _) => {
                let entries = entries.take(&mut self.entries);
                if has_repeated_keys(&entries) {
                    return None;
                }
                Node::new(p, Value::Map(entries))
            }
        };
        self.complete(node);
        Some(())
    }

    /// A scalar: a key (a string, never `<<`) or a value.
    fn scalar(&mut self, text: Cow<'a, str>, style: ScalarStyle, at: Pos) -> Option<()> {
        let value = if style == ScalarStyle::Plain {
            match plain(text) {
                Plain::Value(v) => v,
                Plain::Unsure => return None,
            }
        } else {
            Value::String(text)
        };
        if let Some(Frame::Map(_, _, key @ None)) = self.stack.last_mut() {
            match value {
                Value::String(k) if k != "<<" => *key = Some((k, at)),
                _ => return None,
            }
            return Some(());
        }
        self.complete(Node::new(at, value));
        Some(())
    }

    /// A value is read: the document's root, a list's item, or a map's value.
    fn complete(&mut self, node: Node<'a>) {
        match self.stack.last_mut() {
            None => self.root = Some(node),
            Some(Frame::List(_, items)) => items.push(&mut self.nodes, node),
            Some(Frame::Map(_, entries, key)) => {
                if let Some((key, key_pos)) = key.take() {
                    let entry = Entry {
                        key,
                        key_pos,
                        value: node,
                    };
                    entries.push(&mut self.entries, entry);
                }
            }
        }
    }

    /// A document ends: kept unless empty or null, as serde-saphyr keeps documents.
    fn end_document(&mut self) {
        if let Some(root) = self.root.take()
            && root.value != Value::Null
        {
            self.docs.push(root);
        }
    }
}

/// Where an event starts: its line, and its column from 1.
fn pos(span: &Span) -> Pos {
    let clamp = |v: usize| u32::try_from(v).unwrap_or(u32::MAX);
    Pos::new(
        clamp(span.start.line()),
        clamp(span.start.col().saturating_add(1)),
    )
}
