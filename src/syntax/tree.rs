//! The generic document tree every format is read into before typed decoding.
//!
//! Loading runs in phases: a format reader ([`crate::syntax::hcl`], [`crate::syntax::json`], the YAML reader)
//! builds a [`Node`] tree that records the line and column of every value and key, then the
//! decoder normalizes it (key aliases, one-vs-many) and decodes typed models with key paths.
//! Nothing in this tree is coerced: a number stays a number, an HCL1 block stays the list of
//! one map that Consul's own HCL1 decoder makes of it.

use std::borrow::Cow;
use std::fmt;

/// A 1-based line and column in a source document; `0` means unknown.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Pos {
    /// The line, from 1 (0 when the source gives none).
    pub line: u32,
    /// The column in characters, from 1 (0 when the source gives none).
    pub column: u32,
}

impl Pos {
    /// A known position.
    pub const fn new(line: u32, column: u32) -> Self {
        Self { line, column }
    }

    /// Whether the source gave a position.
    pub const fn is_known(self) -> bool {
        self.line != 0
    }
}

impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// One value of the generic tree with the position where it starts.
///
/// `'a` is the source text's lifetime: strings and keys written without escapes are
/// borrowed from it ([`Cow::Borrowed`]), the others owned. A node is 32 bytes (a map entry
/// 64), lists and maps are boxed slices of exactly their length.
#[derive(Clone, Debug, PartialEq)]
pub struct Node<'a> {
    /// Where the value starts.
    pub pos: Pos,
    /// The value.
    pub value: Value<'a>,
}

/// A value of the generic tree.
#[derive(Clone, Debug, PartialEq)]
pub enum Value<'a> {
    /// `null` (JSON, YAML).
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer that fits in 64 bits.
    Int(i64),
    /// An integer beyond the range of `i64` (2^63 and above, below -2^63), kept exactly as
    /// written so that messages echo it as written; as a number it is its nearest `f64`.
    BigInt(Box<str>),
    /// Any other number.
    Float(f64),
    /// A string, borrowed from the source when written without escapes.
    String(Cow<'a, str>),
    /// A list.
    List(Box<[Node<'a>]>),
    /// A map, in source order; keys may repeat where the format allows it.
    Map(Box<[Entry<'a>]>),
    /// An expression the reader does not evaluate (HCL2: a variable, a function call, a
    /// template with interpolations), written as the template text a JSON document holds
    /// for it (`${var.dc}`, `${NOMAD_ALLOC_INDEX}-web`). Always owned (the reader writes
    /// it), a boxed string so that a node stays 32 bytes.
    Expression(Box<str>),
}

/// One key and its value in a [`Value::Map`].
#[derive(Clone, Debug, PartialEq)]
pub struct Entry<'a> {
    /// The key as written (borrowed from the source when written without escapes).
    pub key: Cow<'a, str>,
    /// Where the key starts.
    pub key_pos: Pos,
    /// The value.
    pub value: Node<'a>,
}

impl<'a> Node<'a> {
    /// A node at `pos`.
    pub const fn new(pos: Pos, value: Value<'a>) -> Self {
        Self { pos, value }
    }

    /// The same tree owning all its strings, free of the source text's lifetime.
    #[must_use]
    pub fn into_owned(self) -> Node<'static> {
        Node::new(self.pos, self.value.into_owned())
    }

    /// A short name of the value's type for messages (`string`, `number`, `map`, …).
    pub fn type_name(&self) -> &'static str {
        self.value.type_name()
    }

    /// The tree as a `serde_json::Value`, positions dropped, map order kept.
    ///
    /// Repeated map keys keep the last value, as a JSON object can hold a key only once. A
    /// [`Value::BigInt`] is exact up to `u64::MAX` and its nearest `f64` beyond.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) => J::from(*i),
            Value::BigInt(text) => text.parse::<u64>().map_or_else(
                |_| text.parse::<f64>().ok().map_or(J::Null, J::from),
                J::from,
            ),
            Value::Float(f) => serde_json::Number::from_f64(*f).map_or(J::Null, J::Number),
            Value::String(s) => J::String(s.as_ref().to_owned()),
            Value::Expression(s) => J::String(s.to_string()),
            Value::List(items) => J::Array(items.iter().map(Self::to_json).collect()),
            Value::Map(entries) => {
                let mut m = serde_json::Map::with_capacity(entries.len());
                for e in entries {
                    m.insert(e.key.as_ref().to_owned(), e.value.to_json());
                }
                J::Object(m)
            }
        }
    }

    /// Builds a tree from a `serde_json::Value`, borrowing its strings; every position is
    /// unknown.
    pub fn from_json(v: &'a serde_json::Value) -> Self {
        use serde_json::Value as J;
        let value = match v {
            J::Null => Value::Null,
            J::Bool(b) => Value::Bool(*b),
            J::Number(n) => match (n.as_i64(), n.as_u64()) {
                (Some(i), _) => Value::Int(i),
                (None, Some(u)) => Value::BigInt(u.to_string().into()),
                (None, None) => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
            },
            J::String(s) => Value::String(Cow::Borrowed(s)),
            J::Array(a) => Value::List(a.iter().map(Self::from_json).collect()),
            J::Object(o) => Value::Map(
                o.iter()
                    .map(|(k, v)| Entry {
                        key: Cow::Borrowed(k),
                        key_pos: Pos::default(),
                        value: Self::from_json(v),
                    })
                    .collect(),
            ),
        };
        Self::new(Pos::default(), value)
    }
}

impl Value<'_> {
    /// The same value owning all its strings, free of the source text's lifetime.
    #[must_use]
    pub fn into_owned(self) -> Value<'static> {
        match self {
            Self::Null => Value::Null,
            Self::Bool(b) => Value::Bool(b),
            Self::Int(i) => Value::Int(i),
            Self::BigInt(text) => Value::BigInt(text),
            Self::Float(f) => Value::Float(f),
            Self::String(s) => Value::String(Cow::Owned(s.into_owned())),
            Self::Expression(text) => Value::Expression(text),
            Self::List(items) => Value::List(items.into_iter().map(Node::into_owned).collect()),
            Self::Map(entries) => Value::Map(
                entries
                    .into_iter()
                    .map(|e| Entry {
                        key: Cow::Owned(e.key.into_owned()),
                        key_pos: e.key_pos,
                        value: e.value.into_owned(),
                    })
                    .collect(),
            ),
        }
    }

    /// A short name of the type for messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::Null => "null",
            Self::Bool(_) => "bool",
            Self::Int(_) | Self::BigInt(_) | Self::Float(_) => "number",
            Self::String(_) => "string",
            Self::List(_) => "list",
            Self::Map(_) => "map",
            Self::Expression(_) => "expression",
        }
    }
}

/// A node serializes as [`Node::to_json`] builds it, without building it: positions dropped,
/// map order kept, a repeated key once (its last value, at its first place). Written by
/// `serde_json`, the text is what `to_json().to_string()` gives with `preserve_order`.
impl serde::Serialize for Node<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        match &self.value {
            Value::Bool(b) => s.serialize_bool(*b),
            Value::Int(i) => s.serialize_i64(*i),
            Value::BigInt(text) => match (text.parse::<u64>(), text.parse::<f64>()) {
                (Ok(u), _) => s.serialize_u64(u),
                (Err(_), Ok(f)) if f.is_finite() => s.serialize_f64(f),
                _ => s.serialize_unit(),
            },
            Value::Float(f) if f.is_finite() => s.serialize_f64(*f),
            Value::Null | Value::Float(_) => s.serialize_unit(),
            Value::String(text) => s.serialize_str(text),
            Value::Expression(text) => s.serialize_str(text),
            Value::List(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Value::Map(entries) => serialize_map(entries, s),
        }
    }
}

/// Serializes map entries as the JSON object they make (as [`Node`]'s `Serialize` does).
pub(crate) fn serialize_map<S: serde::Serializer>(
    entries: &[Entry<'_>],
    s: S,
) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    if !has_repeated_keys(entries) {
        let mut map = s.serialize_map(Some(entries.len()))?;
        for e in entries {
            map.serialize_entry(&*e.key, &e.value)?;
        }
        return map.end();
    }
    let distinct = distinct_keys(entries);
    let mut map = s.serialize_map(Some(distinct.len()))?;
    for (key, value) in &distinct {
        map.serialize_entry(key, value)?;
    }
    map.end()
}

/// Whether a key repeats in `entries`: pairwise for a short map; for a long one, by sorting
/// the entries' indices by key (4 bytes a key, where references to the keys would take 16 and
/// a hash set twice that: a map of a million keys is checked while its 64 MB of entries are
/// alive, the peak of loading such a file).
pub(crate) fn has_repeated_keys(entries: &[Entry<'_>]) -> bool {
    if entries.len() <= 16 {
        return entries
            .iter()
            .enumerate()
            .any(|(i, e)| entries[..i].iter().any(|f| f.key == e.key));
    }
    let Ok(len) = u32::try_from(entries.len()) else {
        let mut keys: Vec<&str> = entries.iter().map(|e| &*e.key).collect();
        keys.sort_unstable();
        return keys.windows(2).any(|w| w[0] == w[1]);
    };
    let key = |i: u32| &*entries[i as usize].key;
    let mut order: Vec<u32> = (0..len).collect();
    order.sort_unstable_by(|&a, &b| key(a).cmp(key(b)));
    order.windows(2).any(|w| key(w[0]) == key(w[1]))
}

/// The entries of a map with each key once, as a JSON object holds them: its last value,
/// at its first place.
fn distinct_keys<'n>(entries: &'n [Entry<'_>]) -> Vec<(&'n str, &'n Node<'n>)> {
    let mut seen: std::collections::HashMap<&str, usize> =
        std::collections::HashMap::with_capacity(entries.len());
    let mut out: Vec<(&str, &Node<'_>)> = Vec::with_capacity(entries.len());
    for e in entries {
        match seen.entry(&*e.key) {
            std::collections::hash_map::Entry::Occupied(at) => out[*at.get()].1 = &e.value,
            std::collections::hash_map::Entry::Vacant(at) => {
                at.insert(out.len());
                out.push((&e.key, &e.value));
            }
        }
    }
    out
}

/// The bytes of [`Limits::max_bytes`] each value a document may hold is worth
/// ([`Limits::max_values`]).
pub const BYTES_PER_VALUE: usize = 8;

/// The fewest values [`Limits::max_values`] allows, whatever the size limit.
pub const MIN_VALUES: usize = 65_536;

/// Limits every reader enforces, so that no input can exhaust the stack or memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// The largest document accepted, in bytes (default 16 MiB).
    pub max_bytes: usize,
    /// The deepest nesting of lists, maps and blocks accepted (default 128).
    pub max_depth: usize,
}

impl Limits {
    /// The same limits with another size limit, in bytes.
    ///
    /// ```
    /// use meshroute::tree::Limits;
    ///
    /// assert_eq!(Limits::default().with_max_bytes(1 << 20).max_bytes, 1 << 20);
    /// ```
    #[must_use]
    pub const fn with_max_bytes(mut self, max_bytes: usize) -> Self {
        self.max_bytes = max_bytes;
        self
    }

    /// How many values (scalars, lists, maps; a map entry's key is part of its value) a
    /// document may hold: one for every [`BYTES_PER_VALUE`] bytes of [`Limits::max_bytes`]
    /// (2,097,152 for 16 MiB), and never fewer than [`MIN_VALUES`]. Real configuration
    /// spends 10 to 20 bytes a value; a document of millions of tiny values would take far
    /// more memory as a tree than as text, so the JSON and HCL readers stop at this count
    /// (YAML's reader counts its nodes against a like budget).
    ///
    /// ```
    /// use meshroute::tree::Limits;
    ///
    /// assert_eq!(Limits::default().max_values(), 2 * 1024 * 1024);
    /// assert_eq!(Limits::default().with_max_bytes(1024).max_values(), 65_536);
    /// ```
    pub const fn max_values(&self) -> usize {
        let n = self.max_bytes / BYTES_PER_VALUE;
        if n < MIN_VALUES { MIN_VALUES } else { n }
    }

    /// The error for a document with more than [`Limits::max_values`] values, at `pos`.
    pub(crate) fn too_many_values(&self, pos: Pos) -> SyntaxError {
        SyntaxError::over_limit(
            pos,
            format!(
                "expected at most {} values in a document (the value limit: one for every {BYTES_PER_VALUE} bytes of the size limit), found more",
                self.max_values()
            ),
        )
    }

    /// The one size rule every reader applies before reading: `src` may hold at most
    /// [`Limits::max_bytes`] bytes. `format` names the format in the message (`hcl`, `json`,
    /// `yaml`).
    pub(crate) fn check_len(&self, src: &str, format: &str) -> Result<(), SyntaxError> {
        if src.len() <= self.max_bytes {
            return Ok(());
        }
        Err(SyntaxError::over_limit(
            Pos::new(1, 1),
            format!(
                "expected at most {} bytes of {format} (the size limit), found {} bytes",
                self.max_bytes,
                src.len()
            ),
        ))
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_bytes: 16 * 1024 * 1024,
            max_depth: 128,
        }
    }
}

/// A document that a format reader could not read: what is wrong and where.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SyntaxError {
    /// Where the reader stopped.
    pub pos: Pos,
    /// What is wrong, lowercase, no trailing punctuation.
    pub message: String,
    /// Whether the input went over a [`Limits`] cap (size or nesting) rather than breaking
    /// the format's grammar.
    pub over_limit: bool,
}

impl SyntaxError {
    /// A syntax error at `pos`.
    pub fn new(pos: Pos, message: impl Into<String>) -> Self {
        Self {
            pos,
            message: message.into(),
            over_limit: false,
        }
    }

    /// An error for input over a [`Limits`] cap (size or nesting) at `pos`.
    pub fn over_limit(pos: Pos, message: impl Into<String>) -> Self {
        Self {
            over_limit: true,
            ..Self::new(pos, message)
        }
    }

    /// The one depth rule's error: nesting at `pos` goes deeper than `max_depth` levels.
    pub(crate) fn too_deep(pos: Pos, max_depth: usize) -> Self {
        Self::over_limit(
            pos,
            format!("expected at most {max_depth} levels of nesting (the depth limit), found more"),
        )
    }
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.pos.is_known() {
            write!(f, "{}: {}", self.pos, self.message)
        } else {
            f.write_str(&self.message)
        }
    }
}

impl std::error::Error for SyntaxError {}
