//! The decoding context every decoder and the validation rules share.
//!
//! [`Cx`] holds the diagnostics sink, the key path of the value being read and the spelling
//! [`Style`] of the document. Objects are read through an [`Obj`] view that matches keys
//! case-insensitively against each [`Field`]'s CamelCase and snake_case names (the canonical
//! one wins when both are present, as in Consul), unwraps the list of one map that HCL1 makes
//! of every block where the schema wants an object, wraps a single object where the schema
//! wants a list, and reports unused keys as Consul does (`invalid config key "…"`), with a
//! did-you-mean hint. Scalars are never coerced.
//!
//! Nothing here knows a document kind: the decoders in [`crate::load::decode`] and the rules
//! in [`crate::load::validate`] build on it.

use std::fmt::Write as _;

use indexmap::IndexMap;

use crate::load::error::{Diagnostic, DiagnosticKind};
use crate::model::mode::go_quote;
use crate::model::opaque::{JsonMap, Opaque};
use crate::syntax::tree::{Entry, Node, Pos, Value};

/// Which spelling is canonical where both appear: Consul's config entries and HTTP API
/// prefer CamelCase, agent configuration files prefer snake_case.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Style {
    Camel,
    Snake,
}

/// A key path segment.
#[derive(Clone, Copy, Debug)]
enum Seg<'t> {
    Key(&'t str),
    Index(usize),
}

/// The most problems reported for one file; past it they are counted, and one last
/// diagnostic says how many more there were (a file of a million unknown keys would
/// otherwise cost far more memory as messages than as text).
pub const MAX_DIAGNOSTICS_PER_FILE: usize = 1000;

/// The decoding context: the diagnostics sink, the current key path and spelling style.
pub(crate) struct Cx<'t, 'd> {
    diags: &'d mut Vec<Diagnostic>,
    /// How many diagnostics `diags` held before this file's.
    start: usize,
    /// Errors reported for this file, listed or not.
    errors: usize,
    /// Errors and warnings past [`MAX_DIAGNOSTICS_PER_FILE`], not listed.
    unlisted: (usize, usize),
    path: Vec<Seg<'t>>,
    style: Style,
    /// Whether unknown-mode errors should add the config-entry note.
    in_config_entry: bool,
}

impl<'d> Cx<'_, 'd> {
    /// A context at the top of a document (snake_case until a decoder says otherwise).
    pub(crate) fn new(diags: &'d mut Vec<Diagnostic>) -> Self {
        Self {
            start: diags.len(),
            diags,
            errors: 0,
            unlisted: (0, 0),
            path: Vec::new(),
            style: Style::Snake,
            in_config_entry: false,
        }
    }

    /// Ends the file: when problems went unlisted, one last diagnostic says how many (an
    /// error when any of them is).
    pub(crate) fn finish(self) {
        let (errors, warnings) = self.unlisted;
        if errors + warnings == 0 {
            return;
        }
        let message = format!(
            "{} more problems ({errors} errors, {warnings} warnings) not listed: at most \
             {MAX_DIAGNOSTICS_PER_FILE} are listed for one file",
            errors + warnings
        );
        let kind = DiagnosticKind::Limit;
        self.diags.push(if errors > 0 {
            Diagnostic::error(kind, Pos::default(), "", message)
        } else {
            Diagnostic::warning(kind, Pos::default(), "", message)
        });
    }

    /// How many diagnostics are listed so far (this file's and those before it).
    pub(crate) fn listed(&self) -> usize {
        self.diags.len()
    }

    /// Lists `d`, or counts it when the file's list is full.
    fn report(&mut self, d: Diagnostic) {
        if d.is_error() {
            self.errors += 1;
        }
        if self.diags.len() - self.start < MAX_DIAGNOSTICS_PER_FILE {
            self.diags.push(d);
        } else if d.is_error() {
            self.unlisted.0 += 1;
        } else {
            self.unlisted.1 += 1;
        }
    }
}

// ---------------------------------------------------------------------------------------
// Path, style and diagnostics.

impl<'t> Cx<'t, '_> {
    /// The canonical spelling style of the document being read.
    pub(crate) fn style(&self) -> Style {
        self.style
    }

    /// Runs `f` with `style` canonical, then restores the previous style.
    pub(crate) fn with_style<R>(&mut self, style: Style, f: impl FnOnce(&mut Self) -> R) -> R {
        let saved = self.style;
        self.style = style;
        let r = f(self);
        self.style = saved;
        r
    }

    /// Runs `f` inside a config entry: CamelCase canonical, and the config-entry notes on.
    pub(crate) fn in_config_entry<R>(&mut self, f: impl FnOnce(&mut Self) -> R) -> R {
        let saved = self.in_config_entry;
        self.in_config_entry = true;
        let r = self.with_style(Style::Camel, f);
        self.in_config_entry = saved;
        r
    }

    /// Whether a config entry is being read.
    pub(crate) fn is_in_config_entry(&self) -> bool {
        self.in_config_entry
    }

    /// Runs `f` with `key` pushed on the path.
    pub(crate) fn at<R>(&mut self, key: &'t str, f: impl FnOnce(&mut Self) -> R) -> R {
        self.path.push(Seg::Key(key));
        let r = f(self);
        self.path.pop();
        r
    }

    /// Runs `f` with a context over shorter-lived nodes (a part of the tree taken out of it,
    /// to be dropped once read): the same path, style and counts, which it hands back.
    pub(crate) fn narrowed<'e, R>(&mut self, f: impl FnOnce(&mut Cx<'e, '_>) -> R) -> R
    where
        't: 'e,
    {
        let mut sub = Cx {
            diags: &mut *self.diags,
            start: self.start,
            errors: self.errors,
            unlisted: self.unlisted,
            path: self.path.clone(),
            style: self.style,
            in_config_entry: self.in_config_entry,
        };
        let r = f(&mut sub);
        (self.errors, self.unlisted) = (sub.errors, sub.unlisted);
        r
    }

    /// Runs `f` with the list index `i` pushed on the path.
    pub(crate) fn at_index<R>(&mut self, i: usize, f: impl FnOnce(&mut Self) -> R) -> R {
        self.path.push(Seg::Index(i));
        let r = f(self);
        self.path.pop();
        r
    }

    fn path_string(&self) -> String {
        let mut s = String::new();
        for seg in &self.path {
            match seg {
                Seg::Key(k) => {
                    if !s.is_empty() {
                        s.push('.');
                    }
                    s.push_str(&crate::text::elide(k));
                }
                Seg::Index(i) => {
                    let _ = write!(s, "[{i}]");
                }
            }
        }
        s
    }

    /// Reports an error at `pos`, on the current key path.
    pub(crate) fn error(&mut self, kind: DiagnosticKind, pos: Pos, message: impl Into<String>) {
        let path = self.path_string();
        self.report(Diagnostic::error(kind, pos, path, message));
    }

    /// Reports a warning at `pos`, on the current key path.
    pub(crate) fn warning(&mut self, kind: DiagnosticKind, pos: Pos, message: impl Into<String>) {
        let path = self.path_string();
        self.report(Diagnostic::warning(kind, pos, path, message));
    }

    /// Reports an error at `pos` on the current key path extended by `rest` (a dotted path
    /// with indexes, as `spec.upstreamConfig.overrides[0].name`).
    pub(crate) fn error_below(
        &mut self,
        kind: DiagnosticKind,
        pos: Pos,
        rest: &str,
        message: impl Into<String>,
    ) {
        let path = self.path_below(rest);
        self.report(Diagnostic::error(kind, pos, path, message));
    }

    /// [`Cx::error_below`], as a warning.
    pub(crate) fn warning_below(
        &mut self,
        kind: DiagnosticKind,
        pos: Pos,
        rest: &str,
        message: impl Into<String>,
    ) {
        let path = self.path_below(rest);
        self.report(Diagnostic::warning(kind, pos, path, message));
    }

    fn path_below(&self, rest: &str) -> String {
        let mut path = self.path_string();
        if !path.is_empty() && !rest.is_empty() && !rest.starts_with('[') {
            path.push('.');
        }
        path.push_str(rest);
        path
    }

    /// Reports a note (information only) at `pos`, on the current key path.
    pub(crate) fn note(&mut self, kind: DiagnosticKind, pos: Pos, message: impl Into<String>) {
        // Notes are not problems: the file's cap on problems does not count them.
        let path = self.path_string();
        self.diags.push(Diagnostic::note(kind, pos, path, message));
    }

    /// Reports `key` (at `pos`, on the current path) as unknown, with a suggestion.
    fn unknown_key(&mut self, key: &str, pos: Pos, suggestion: Option<String>) {
        let mut d = Diagnostic::error(
            DiagnosticKind::UnknownKey,
            pos,
            self.path_string(),
            format!("invalid config key {}", go_quote(key)),
        );
        if let Some(s) = suggestion {
            d = d.with_suggestion(s);
        }
        self.report(d);
    }

    fn error_count(&self) -> usize {
        self.errors
    }

    /// Runs `f`, keeping what it gives only when it reported no new error.
    pub(crate) fn clean<R>(&mut self, f: impl FnOnce(&mut Self) -> Option<R>) -> Option<R> {
        let before = self.error_count();
        let r = f(self)?;
        (self.error_count() == before).then_some(r)
    }

    /// Decodes with `decode`, then, when that was clean, runs the rules of `validate` on the
    /// value (they read decoded values, so a mistake is reported once); the value only when
    /// both were clean.
    pub(crate) fn checked<T>(
        &mut self,
        decode: impl FnOnce(&mut Self) -> Option<T>,
        validate: impl FnOnce(&mut Self, &T),
    ) -> Option<T> {
        let value = self.clean(decode)?;
        self.clean(|cx| {
            validate(cx, &value);
            Some(value)
        })
    }
}

// ---------------------------------------------------------------------------------------
// Readers: what a node holds, as the schema wants it, or an error on the current path.

/// Reports `node` as not being `expected` (`a string`, `a map`, …).
pub(crate) fn wrong_type(cx: &mut Cx<'_, '_>, node: &Node, expected: &str) {
    cx.error(
        DiagnosticKind::WrongType,
        node.pos,
        format!("expected {expected}, found {}", describe(node)),
    );
}

/// A literal string (a template such as `${…}` is an error: Consul does not interpolate).
pub(crate) fn string<'t>(cx: &mut Cx<'t, '_>, node: &'t Node<'t>) -> Option<&'t str> {
    let Value::String(s) = &node.value else {
        wrong_type(cx, node, "a string");
        return None;
    };
    if is_template(s) {
        cx.error(
            DiagnosticKind::Interpolation,
            node.pos,
            format!(
                "expected a literal string, found the template {}: Consul does not interpolate configuration",
                go_quote(s)
            ),
        );
        return None;
    }
    Some(s)
}

/// Whether `s` holds `${` or `%{` (looked for only where it holds a `{`).
fn is_template(s: &str) -> bool {
    s.as_bytes().contains(&b'{') && (s.contains("${") || s.contains("%{"))
}

/// [`string`], owned.
pub(crate) fn owned_string<'t>(cx: &mut Cx<'t, '_>, node: &'t Node<'t>) -> Option<String> {
    string(cx, node).map(str::to_owned)
}

/// A boolean.
pub(crate) fn boolean(cx: &mut Cx<'_, '_>, node: &Node) -> Option<bool> {
    if let Value::Bool(b) = node.value {
        Some(b)
    } else {
        wrong_type(cx, node, "a boolean");
        None
    }
}

/// An integer in `min..=max`; `what` names the range in the error.
pub(crate) fn int(cx: &mut Cx<'_, '_>, node: &Node, min: i64, max: i64, what: &str) -> Option<i64> {
    match node.value {
        Value::Int(i) if (min..=max).contains(&i) => Some(i),
        Value::Int(i) => {
            cx.error(
                DiagnosticKind::OutOfRange,
                node.pos,
                format!("{i} is out of range for {what} ({min} to {max})"),
            );
            None
        }
        Value::BigInt(ref text) => {
            cx.error(
                DiagnosticKind::OutOfRange,
                node.pos,
                format!(
                    "{} is out of range for {what} ({min} to {max})",
                    crate::text::elide(text)
                ),
            );
            None
        }
        _ => {
            wrong_type(cx, node, "an integer");
            None
        }
    }
}

/// A TCP port, 0 to 65535.
pub(crate) fn port(cx: &mut Cx<'_, '_>, node: &Node) -> Option<u16> {
    int(cx, node, 0, 65535, "a port").and_then(|i| u16::try_from(i).ok())
}

/// An object: a map, or HCL1's list of one map. An empty list is absent, and so is `null`
/// (Consul decodes a null map or struct as its zero value: a saved
/// `GET /v1/config/proxy-defaults/global` carries `"Config": null`).
pub(crate) fn object<'t>(cx: &mut Cx<'t, '_>, node: &'t Node<'t>) -> Option<Obj<'t>> {
    match &node.value {
        Value::Map(entries) => Some(Obj::new(entries, node.pos)),
        Value::List(items) => one_object(cx, items),
        Value::Null => None,
        _ => {
            wrong_type(cx, node, "a map or block");
            None
        }
    }
}

/// The object of HCL1's list of one map.
fn one_object<'t>(cx: &mut Cx<'t, '_>, items: &'t [Node<'t>]) -> Option<Obj<'t>> {
    match items {
        [] => None,
        [one] => {
            if let Value::Map(entries) = &one.value {
                Some(Obj::new(entries, one.pos))
            } else {
                wrong_type(cx, one, "a map");
                None
            }
        }
        [_, second, ..] => {
            cx.error(
                DiagnosticKind::TooMany,
                second.pos,
                format!(
                    "expected one block or map, found {} (this key may appear only once)",
                    items.len()
                ),
            );
            None
        }
    }
}

/// A list of objects: a list (whose elements may be HCL1 lists of one map), or a single
/// object as a list of one. Each with its index; `None` where an element is no object.
pub(crate) fn objects<'t>(
    cx: &mut Cx<'t, '_>,
    node: &'t Node<'t>,
) -> Vec<(usize, Option<Obj<'t>>)> {
    match &node.value {
        Value::List(items) => items
            .iter()
            .enumerate()
            .map(|(i, item)| (i, cx.at_index(i, |cx| object(cx, item))))
            .collect(),
        Value::Map(entries) => vec![(0, Some(Obj::new(entries, node.pos)))],
        // A null list is an empty one, as in Consul.
        Value::Null => Vec::new(),
        _ => {
            wrong_type(cx, node, "a list of maps or blocks");
            Vec::new()
        }
    }
}

/// [`objects`] read by `read`, each at its index; what `read` gives, in order.
pub(crate) fn each_object<'t, 'd, R>(
    cx: &mut Cx<'t, 'd>,
    node: &'t Node<'t>,
    mut read: impl FnMut(&mut Cx<'t, 'd>, Obj<'t>) -> Option<R>,
) -> Vec<R> {
    if let Value::List(items) = &node.value
        && items.iter().all(|item| matches!(item.value, Value::Map(_)))
    {
        // Every element a map: no element is reported before the first is read, so one
        // pass reads them in the order and with the diagnostics of the two below.
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            if let Value::Map(entries) = &item.value {
                let obj = Obj::new(entries, item.pos);
                out.extend(cx.at_index(i, |cx| read(cx, obj)));
            }
        }
        return out;
    }
    let mut out = Vec::new();
    for (i, obj) in objects(cx, node) {
        if let Some(obj) = obj {
            out.extend(cx.at_index(i, |cx| read(cx, obj)));
        }
    }
    out
}

/// A list of strings.
pub(crate) fn strings<'t>(cx: &mut Cx<'t, '_>, node: &'t Node<'t>) -> Vec<String> {
    if matches!(node.value, Value::Null) {
        return Vec::new();
    }
    let Value::List(items) = &node.value else {
        wrong_type(cx, node, "a list of strings");
        return Vec::new();
    };
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        out.extend(cx.at_index(i, |cx| owned_string(cx, item)));
    }
    out
}

/// A map kept as it is, compact (`config`): a map or HCL1's list of one map.
pub(crate) fn opaque<'t>(cx: &mut Cx<'t, '_>, node: &'t Node<'t>) -> Option<Opaque> {
    let obj = object(cx, node)?;
    Some(opaque_of(obj.entries))
}

/// `entries` as an [`Opaque`] map: their JSON text, written from the tree.
pub(crate) fn opaque_of(entries: &[Entry<'_>]) -> Opaque {
    // Writing a tree cannot fail (its keys are strings); an empty map if it ever did.
    let text = serde_json::to_string(&MapOf(entries)).unwrap_or_else(|_| "{}".to_owned());
    Opaque::from_json_text(text)
}

/// Map entries serialized as the map they make.
struct MapOf<'e, 'a>(&'e [Entry<'a>]);

impl serde::Serialize for MapOf<'_, '_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        crate::syntax::tree::serialize_map(self.0, s)
    }
}

/// A map kept as it is, parsed (`LoadBalancer`, a failover's `Policy`, a route's `Match`):
/// a map or HCL1's list of one map.
pub(crate) fn json_map<'t>(cx: &mut Cx<'t, '_>, node: &'t Node<'t>) -> Option<JsonMap> {
    let obj = object(cx, node)?;
    let mut m = JsonMap::new();
    for e in obj.entries {
        m.insert(e.key.to_string(), e.value.to_json());
    }
    Some(m)
}

/// A map of strings to strings (`meta`).
pub(crate) fn string_map<'t>(cx: &mut Cx<'t, '_>, node: &'t Node<'t>) -> IndexMap<String, String> {
    let mut out = IndexMap::new();
    if let Some(obj) = object(cx, node) {
        out.reserve(obj.entries.len());
        for e in obj.entries {
            if let Some(v) = cx.at(&e.key, |cx| owned_string(cx, &e.value)) {
                out.insert(e.key.to_string(), v);
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------------------
// Fields of an object.

impl<'t> Cx<'t, '_> {
    /// Reads `field` of `obj` with `read`, the field's key on the path; `None` when absent.
    #[inline]
    pub(crate) fn field<R>(
        &mut self,
        obj: &mut Obj<'t>,
        field: Field,
        read: impl FnOnce(&mut Self, &'t Node<'t>) -> R,
    ) -> Option<R> {
        let e = obj.take(field, self.style)?;
        Some(self.at(&e.key, |cx| read(cx, &e.value)))
    }

    /// Reads the object `field` of `obj` with `read`; `None` when absent or no object.
    pub(crate) fn field_object<R>(
        &mut self,
        obj: &mut Obj<'t>,
        field: Field,
        read: impl FnOnce(&mut Self, Obj<'t>) -> R,
    ) -> Option<R> {
        self.field(obj, field, |cx, node| object(cx, node).map(|o| read(cx, o)))
            .flatten()
    }

    /// The string `field` of `obj`.
    pub(crate) fn opt_string(&mut self, obj: &mut Obj<'t>, field: Field) -> Option<String> {
        self.field(obj, field, owned_string).flatten()
    }

    /// The boolean `field` of `obj`.
    pub(crate) fn opt_bool(&mut self, obj: &mut Obj<'t>, field: Field) -> Option<bool> {
        self.field(obj, field, boolean).flatten()
    }
}

fn describe(node: &Node) -> String {
    match &node.value {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => format!("the boolean {b}"),
        Value::Int(i) => format!("the number {i}"),
        Value::BigInt(text) => format!("the number {}", crate::text::elide(text)),
        Value::Float(x) => format!("the number {x}"),
        Value::String(s) => format!("the string {}", go_quote(s)),
        Value::List(items) => format!("a list of {}", items.len()),
        Value::Map(_) => "a map".to_owned(),
        Value::Expression(e) => format!("the expression {}", go_quote(e)),
    }
}

/// A field of a schema: its CamelCase name and its snake_case alias.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Field {
    camel: &'static str,
    snake: &'static str,
    /// The [`signature`]s of the two spellings.
    sigs: [u32; 2],
    /// Their [`summary_bit`]s.
    summary: u64,
}

impl Field {
    /// The field spelled `camel` in CamelCase and `snake` in snake_case.
    pub(crate) const fn new(camel: &'static str, snake: &'static str) -> Self {
        Self {
            camel,
            snake,
            sigs: [signature(camel.as_bytes()), signature(snake.as_bytes())],
            summary: summary_bit(signature(camel.as_bytes()))
                | summary_bit(signature(snake.as_bytes())),
        }
    }

    /// The CamelCase spelling.
    pub(crate) const fn camel(self) -> &'static str {
        self.camel
    }

    /// The snake_case spelling.
    pub(crate) const fn snake(self) -> &'static str {
        self.snake
    }

    /// Whether `key` is either spelling, in any case. (Called for every key of an object
    /// and every field read from it: the lengths, which differ for most pairs, go first.)
    #[inline]
    pub(crate) fn matches(self, key: &str) -> bool {
        same_but_case(key, self.camel) || same_but_case(key, self.snake)
    }

    /// Whether a key of signature `sig` may be either spelling ([`Field::matches`] tells).
    #[inline]
    fn may_match(self, sig: u32) -> bool {
        sig == self.sigs[0] || sig == self.sigs[1]
    }

    /// Whether `key`, of signature `sig`, is this field, and if so whether in `style`'s
    /// spelling (else the alias's), in any case: a spelling is compared only where its
    /// signature is the key's, the canonical one first.
    #[inline]
    fn spelled(self, key: &str, sig: u32, style: Style) -> Option<bool> {
        let (canonical, alias, sigs) = match style {
            Style::Camel => (self.camel, self.snake, self.sigs),
            Style::Snake => (self.snake, self.camel, [self.sigs[1], self.sigs[0]]),
        };
        if sig == sigs[0] && same_but_case(key, canonical) {
            Some(true)
        } else if sig == sigs[1] && same_but_case(key, alias) {
            Some(false)
        } else {
            None
        }
    }
}

/// Whether `key` is `spelling` but for ASCII case (the lengths first, inline).
#[inline]
fn same_but_case(key: &str, spelling: &str) -> bool {
    key.len() == spelling.len() && same_length_but_case(key.as_bytes(), spelling.as_bytes())
}

/// [`same_but_case`] for two strings of one length: eight bytes at a time, each word
/// exactly first (as most keys are spelled), then but for case; the last word may overlap
/// the one before it. Shorter strings byte by byte.
fn same_length_but_case(key: &[u8], spelling: &[u8]) -> bool {
    let same = |k: &[u8; 8], s: &[u8; 8]| k == s || k.eq_ignore_ascii_case(s);
    let (Some(key_last), Some(spelling_last)) = (key.last_chunk(), spelling.last_chunk()) else {
        return key.eq_ignore_ascii_case(spelling);
    };
    let (key_words, _) = key.as_chunks();
    let (spelling_words, _) = spelling.as_chunks();
    key_words
        .iter()
        .zip(spelling_words)
        .all(|(k, s)| same(k, s))
        && same(key_last, spelling_last)
}

/// A key's signature: its length and its first, middle and last bytes, ASCII lowercase.
/// Keys equal but for ASCII case have the same signature; most different keys do not, so a
/// field is looked for by comparing one number per entry before any text.
const fn signature(key: &[u8]) -> u32 {
    let n = key.len();
    if n == 0 {
        return 0;
    }
    n.to_le_bytes()[0] as u32
        | lower(key, 0) << 8
        | lower(key, n / 2) << 16
        | lower(key, n - 1) << 24
}

const fn lower(key: &[u8], i: usize) -> u32 {
    key[i].to_ascii_lowercase() as u32
}

/// One of 64 bits for a signature: a map's keys' bits together tell in one test that most
/// fields are not among them.
const fn summary_bit(sig: u32) -> u64 {
    1 << (sig.wrapping_mul(0x9e37_79b1) >> 26)
}

/// The most entries of a map whose key signatures an [`Obj`] keeps inline; fields are looked
/// for this many entries at a time.
const SMALL: usize = 16;

/// A map being decoded: which of its entries have been used.
pub(crate) struct Obj<'t> {
    entries: &'t [Entry<'t>],
    pos: Pos,
    marks: Marks,
}

/// The used marks of an [`Obj`]'s entries, and for a small map each key's [`signature`].
enum Marks {
    /// At most [`SMALL`] entries: bit `i` of `used` is entry `i`'s mark, `summary` the
    /// [`summary_bit`]s of the signatures.
    Small {
        sigs: [u32; SMALL],
        summary: u64,
        used: u32,
    },
    /// More: one bit an entry; signatures are worked out as fields are looked for.
    Large { used: Vec<u64> },
}

impl Marks {
    fn new(entries: &[Entry<'_>]) -> Self {
        if entries.len() > SMALL {
            return Self::Large {
                used: vec![0; entries.len().div_ceil(64)],
            };
        }
        let mut sigs = [0; SMALL];
        let mut summary = 0;
        for (sig, e) in sigs.iter_mut().zip(entries) {
            *sig = signature(e.key.as_bytes());
            summary |= summary_bit(*sig);
        }
        Self::Small {
            sigs,
            summary,
            used: 0,
        }
    }

    fn mark(&mut self, i: usize) {
        match self {
            Self::Small { used, .. } => *used |= 1 << i,
            Self::Large { used } => used[i / 64] |= 1 << (i % 64),
        }
    }

    fn is_used(&self, i: usize) -> bool {
        match self {
            Self::Small { used, .. } => used & (1 << i) != 0,
            Self::Large { used } => used[i / 64] & (1 << (i % 64)) != 0,
        }
    }

    /// Whether all `len` entries of a small map are used (as they mostly are when its
    /// fields have been read); `false` says nothing of a large one.
    #[inline]
    fn all_used(&self, len: usize) -> bool {
        matches!(self, Self::Small { used, .. } if used.count_ones() as usize == len)
    }
}

/// The entry a field reads: the one spelled canonically, else the last alias spelling.
#[derive(Default)]
struct Pick {
    best: Option<usize>,
    is_canonical: bool,
}

impl Pick {
    /// Considers entry `i`, the field spelled canonically or not.
    fn consider(&mut self, i: usize, is_canonical: bool) {
        if self.best.is_none() || is_canonical || !self.is_canonical {
            self.best = Some(i);
            self.is_canonical = is_canonical;
        }
    }
}

impl<'t> Obj<'t> {
    /// A view of `entries`, none used yet; the map starts at `pos`.
    pub(crate) fn new(entries: &'t [Entry<'t>], pos: Pos) -> Self {
        Self {
            entries,
            pos,
            marks: Marks::new(entries),
        }
    }

    /// Every entry, used or not.
    pub(crate) fn entries(&self) -> &'t [Entry<'t>] {
        self.entries
    }

    /// Where the map starts.
    pub(crate) fn pos(&self) -> Pos {
        self.pos
    }

    /// Finds `field`: the entry spelled canonically wins, else the last alias spelling.
    /// Every matching entry is marked used.
    #[inline]
    pub(crate) fn take(&mut self, field: Field, style: Style) -> Option<&'t Entry<'t>> {
        // Most fields of a schema are absent from a map: told here, where `take` is called.
        if let Marks::Small { summary, .. } = self.marks
            && summary & field.summary == 0
        {
            return None;
        }
        self.find(field, style)
    }

    /// [`Obj::take`] past the summary.
    fn find(&mut self, field: Field, style: Style) -> Option<&'t Entry<'t>> {
        let mut pick = Pick::default();
        match &mut self.marks {
            Marks::Small { sigs, used, .. } => {
                // By index: the iterator forms tried cost 1% more of a JSON load.
                #[allow(clippy::needless_range_loop)]
                for i in 0..self.entries.len().min(SMALL) {
                    if !field.may_match(sigs[i]) {
                        continue;
                    }
                    let key = &self.entries[i].key;
                    if let Some(is_canonical) = field.spelled(key, sigs[i], style) {
                        *used |= 1 << i;
                        pick.consider(i, is_canonical);
                    }
                }
            }
            Marks::Large { used } => {
                for (i, e) in self.entries.iter().enumerate() {
                    let n = e.key.len();
                    if n != field.camel.len() && n != field.snake.len() {
                        continue;
                    }
                    let sig = signature(e.key.as_bytes());
                    if let Some(is_canonical) = field.spelled(&e.key, sig, style) {
                        used[i / 64] |= 1 << (i % 64);
                        pick.consider(i, is_canonical);
                    }
                }
            }
        }
        pick.best.map(|i| &self.entries[i])
    }

    /// Marks every entry matching one of `fields` used (keys Consul knows that we ignore).
    pub(crate) fn tolerate(&mut self, fields: &[Field]) {
        if self.marks.all_used(self.entries.len()) {
            return;
        }
        for (i, e) in self.entries.iter().enumerate() {
            if !self.marks.is_used(i) && fields.iter().any(|f| f.matches(&e.key)) {
                self.marks.mark(i);
            }
        }
    }

    /// Reports every unused key as Consul does, with a suggestion from `known`.
    pub(crate) fn finish(self, cx: &mut Cx<'t, '_>, known: &[Field]) {
        if self.marks.all_used(self.entries.len()) {
            return;
        }
        for (i, e) in self.entries.iter().enumerate() {
            if !self.marks.is_used(i) {
                let suggestion = suggest(&e.key, known);
                cx.at(&e.key, |cx| cx.unknown_key(&e.key, e.key_pos, suggestion));
            }
        }
    }

    /// The entries not used yet, marking them used (for maps kept as they are).
    pub(crate) fn rest(&mut self) -> Vec<&'t Entry<'t>> {
        let mut out = Vec::new();
        for (i, e) in self.entries.iter().enumerate() {
            if !self.marks.is_used(i) {
                self.marks.mark(i);
                out.push(e);
            }
        }
        out
    }
}

/// The closest known key to `key`, in the spelling style `key` uses.
fn suggest(key: &str, known: &[Field]) -> Option<String> {
    // Jaro similarity is at most (1 + 1 + shorter/longer) / 3, so above 0.8 only when the
    // longer string is under 2.5 times the shorter: a key that long is near no known key,
    // and comparing a key of megabytes would take seconds.
    let longest = known
        .iter()
        .map(|f| f.camel.len().max(f.snake.len()))
        .max()?;
    if key.chars().nth(longest * 5 / 2).is_some() {
        return None;
    }
    let snake_style = key.contains('_') || key.chars().all(|c| !c.is_ascii_uppercase());
    let lower = key.to_ascii_lowercase();
    let mut best: Option<(f64, &str)> = None;
    for field in known {
        let cand = if snake_style {
            field.snake
        } else {
            field.camel
        };
        let score = strsim::jaro(&lower, &cand.to_ascii_lowercase());
        if score > 0.8 && best.is_none_or(|(s, _)| score > s) {
            best = Some((score, cand));
        }
    }
    best.map(|(_, c)| c.to_owned())
}
