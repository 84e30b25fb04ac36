//! The generic decoder: a port of `hcl.Decode` into a `map[string]interface{}`, building the
//! positioned tree.
//!
//! Objects become lists of one map (`[]map[string]interface{}`), except directly inside a
//! `[ … ]` list; labels go through `ObjectList.Filter`, keys matched without case; a repeated
//! key merges by the Go type of its first value (lists append, a scalar is converted to the
//! first one's type and the last one wins).
//!
//! Only a map member's own Go type is ever read again (a merge appends to a slice or replaces
//! a scalar, never looks inside a slice's elements), so elements and maps are tree nodes as
//! soon as they are decoded, and an object whose keys are all different goes straight into
//! the tree's entries: Go's map is built only for an object where a key repeats.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use indexmap::IndexMap;

use crate::syntax::hcl::ast::{Ast, Item};
use crate::syntax::hcl::strconv::{go_parse_float, go_parse_int};
use crate::syntax::hcl::token::{Kind, Token};
use crate::syntax::tree::{Entry, Node, Pos, SyntaxError, Value};

/// Decodes a parsed document's top-level items from `src` into the tree (a map at 1:1),
/// taking them: where nothing is read twice, each item of the syntax tree is dropped as soon
/// as its part of the tree is built ([`Decoder::decode_items_taken`]), so that the syntax
/// tree and the generic tree of a large object are not both whole in memory.
pub(super) fn decode(src: &str, items: Vec<Item>) -> Result<Node<'_>, SyntaxError> {
    let dec = Decoder { src };
    let map = dec.decode_items_taken(items)?;
    Ok(Node::new(Pos::new(1, 1), map))
}

/// `f` of each of `items` in order, each taken and dropped after, the vector giving its
/// memory back as it empties (from 4096 items up, each time a sixteenth of its room is
/// free): reversed in place first, then taken from the back. Stops at the first error.
fn take_each<T>(
    mut items: Vec<T>,
    mut f: impl FnMut(T) -> Result<(), SyntaxError>,
) -> Result<(), SyntaxError> {
    const SHRINK_FROM: usize = 4096;
    items.reverse();
    while let Some(item) = items.pop() {
        f(item)?;
        let room = items.capacity();
        if room >= SHRINK_FROM && items.len() <= room - room / 16 {
            items.shrink_to_fit();
        }
    }
    Ok(())
}

/// [`take_each`] collecting what `f` makes.
fn take_all<T, U>(
    items: Vec<T>,
    mut f: impl FnMut(T) -> Result<U, SyntaxError>,
) -> Result<Vec<U>, SyntaxError> {
    let mut out = Vec::with_capacity(items.len());
    take_each(items, |item| {
        out.push(f(item)?);
        Ok(())
    })?;
    Ok(out)
}

/// An object item seen through `ObjectList.Filter`: some leading keys stripped.
#[derive(Clone, Copy)]
struct ItemRef<'a> {
    keys: &'a [Token],
    val: &'a Ast,
}

impl<'a> ItemRef<'a> {
    fn of(item: &'a Item) -> Self {
        Self {
            keys: &item.keys,
            val: &item.val,
        }
    }

    fn pos(&self) -> Pos {
        self.keys.first().map_or_else(|| self.val.pos(), |k| k.pos)
    }
}

/// An object's items: the syntax tree's own, or views of them ([`ItemRef`]) for a block
/// alone or the blocks `ObjectList.Filter` gathers. Not a vector of views of an object's
/// items: a map of a million keys is not read through 24 MB of copies.
#[derive(Clone, Copy)]
enum Items<'n, 'b> {
    Refs(&'n [ItemRef<'b>]),
    Syntax(&'b [Item]),
}

impl<'b> Items<'_, 'b> {
    fn len(self) -> usize {
        match self {
            Self::Refs(items) => items.len(),
            Self::Syntax(items) => items.len(),
        }
    }

    fn get(self, i: usize) -> ItemRef<'b> {
        match self {
            Self::Refs(items) => items[i],
            Self::Syntax(items) => ItemRef::of(&items[i]),
        }
    }

    fn iter(self) -> impl Iterator<Item = ItemRef<'b>> {
        (0..self.len()).map(move |i| self.get(i))
    }
}

/// The Go decoder's view of a syntax node.
enum GNode<'a> {
    /// `*ast.ObjectList`
    List(Vec<ItemRef<'a>>),
    /// `*ast.ObjectItem`
    Item(ItemRef<'a>),
    /// `*ast.ObjectType`, `*ast.ListType` or `*ast.LiteralType`
    Ast(&'a Ast),
}

impl GNode<'_> {
    fn pos(&self) -> Pos {
        match self {
            Self::List(items) => items
                .iter()
                .find(|i| !i.keys.is_empty())
                .or(items.first())
                .map_or(Pos::default(), ItemRef::pos),
            Self::Item(i) => i.pos(),
            Self::Ast(a) => a.pos(),
        }
    }

    fn describe(&self) -> &'static str {
        match self {
            Self::List(_) => "a labelled block",
            Self::Item(_) | Self::Ast(Ast::Object { .. }) => "an object",
            Self::Ast(Ast::List { .. }) => "a list",
            Self::Ast(Ast::Lit(t)) => t.kind.describe(),
        }
    }
}

/// A value of the Go decoder, with the dynamic type that decides how repeats merge.
enum GoVal<'s> {
    Bool(bool),
    Int(i64),
    Float(f64),
    /// Borrowed from the text when written without escapes.
    Str(Cow<'s, str>),
    /// `[]interface{}`: from `[ … ]`, its elements already tree nodes.
    SliceAny(Vec<Node<'s>>),
    /// `[]map[string]interface{}`: from blocks and objects, each element a map node.
    SliceMap(Vec<Node<'s>>),
}

impl GoVal<'_> {
    fn describe(&self) -> &'static str {
        match self {
            Self::Bool(_) => "a bool",
            Self::Int(_) => "an integer",
            Self::Float(_) => "a float",
            Self::Str(_) => "a string",
            Self::SliceAny(_) => "a list",
            Self::SliceMap(_) => "a block",
        }
    }

    fn is_scalar(&self) -> bool {
        !matches!(self, Self::SliceAny(_) | Self::SliceMap(_))
    }
}

/// A map member: where its key is written, where its value starts, and the value.
struct Member<'s> {
    key_pos: Pos,
    pos: Pos,
    val: GoVal<'s>,
}

type GoMap<'s> = IndexMap<Cow<'s, str>, Member<'s>>;

fn into_value(v: GoVal<'_>) -> Value<'_> {
    match v {
        GoVal::Bool(b) => Value::Bool(b),
        GoVal::Int(i) => Value::Int(i),
        GoVal::Float(f) => Value::Float(f),
        GoVal::Str(s) => Value::String(s),
        GoVal::SliceAny(items) | GoVal::SliceMap(items) => Value::List(items.into_boxed_slice()),
    }
}

fn into_map(m: GoMap<'_>) -> Value<'_> {
    Value::Map(m.into_iter().map(into_entry).collect())
}

fn into_entry<'s>((key, m): (Cow<'s, str>, Member<'s>)) -> Entry<'s> {
    Entry {
        key,
        key_pos: m.key_pos,
        value: Node::new(m.pos, into_value(m.val)),
    }
}

/// The items of a node decoded as a map: an item alone, an object's items, a list's.
fn map_items<'n, 'b>(node: &'n GNode<'b>) -> Result<Items<'n, 'b>, SyntaxError> {
    match node {
        GNode::Item(i) => Ok(Items::Refs(std::slice::from_ref(i))),
        GNode::Ast(Ast::Object { items, .. }) => Ok(Items::Syntax(items)),
        GNode::List(items) => Ok(Items::Refs(items)),
        GNode::Ast(a) => Err(SyntaxError::new(
            a.pos(),
            format!("expected an object, found {}", node.describe()),
        )),
    }
}

/// The elements of a node decoded as a slice: a list's items, an object alone, a `[ … ]`'s
/// values (read one at a time: a list of a million values is not copied first).
fn slice_items<'n, 'b>(node: &'n GNode<'b>, want: &str) -> Result<SliceItems<'n, 'b>, SyntaxError> {
    match node {
        GNode::List(items) => Ok(SliceItems::Items(items.iter())),
        GNode::Ast(o @ Ast::Object { .. }) => Ok(SliceItems::One(Some(o))),
        GNode::Ast(Ast::List { items, .. }) => Ok(SliceItems::Asts(items.iter())),
        _ => Err(mismatch(node, want)),
    }
}

/// The elements [`slice_items`] gives.
enum SliceItems<'n, 'b> {
    Items(std::slice::Iter<'n, ItemRef<'b>>),
    One(Option<&'b Ast>),
    Asts(std::slice::Iter<'b, Ast>),
}

impl<'b> Iterator for SliceItems<'_, 'b> {
    type Item = GNode<'b>;

    fn next(&mut self) -> Option<GNode<'b>> {
        match self {
            Self::Items(items) => items.next().map(|i| GNode::Item(*i)),
            Self::One(one) => one.take().map(GNode::Ast),
            Self::Asts(asts) => asts.next().map(GNode::Ast),
        }
    }
}

fn literal<'b>(node: &'b GNode<'_>) -> Option<&'b Token> {
    match node {
        GNode::Ast(Ast::Lit(t)) => Some(t),
        _ => None,
    }
}

fn mismatch(node: &GNode<'_>, want: &str) -> SyntaxError {
    SyntaxError::new(
        node.pos(),
        format!("expected {want}, found {}", node.describe()),
    )
}

/// A repeated key's value (written at `pos`, its key at `key_pos`) merged into `member` by
/// `decode`, which reads it into the first value's Go type: an error says where the key was
/// first; a scalar takes the last value and points at it, and at its key.
fn merge_with<'a>(
    member: &mut Member<'a>,
    key: &str,
    key_pos: Pos,
    pos: Pos,
    decode: impl FnOnce(GoVal<'a>) -> Result<GoVal<'a>, SyntaxError>,
) -> Result<(), SyntaxError> {
    let old = std::mem::replace(&mut member.val, GoVal::Bool(false));
    let (first_pos, first_kind) = (member.key_pos, old.describe());
    member.val = decode(old).map_err(|e| {
        SyntaxError::new(
            e.pos,
            format!(
                "{} (key {key:?} repeats, first as {first_kind} at {first_pos})",
                e.message
            ),
        )
    })?;
    if member.val.is_scalar() {
        member.key_pos = key_pos;
        member.pos = pos;
    }
    Ok(())
}

struct Decoder<'a> {
    src: &'a str,
}

impl<'a> Decoder<'a> {
    /// An object as a map node: straight into the tree's entries when its keys are all
    /// different (no member is ever merged into), through Go's map when one repeats.
    fn decode_map(&self, node: &GNode<'_>) -> Result<Value<'a>, SyntaxError> {
        self.decode_items(map_items(node)?)
    }

    /// An object's items as a map node ([`Self::decode_map`]).
    fn decode_items(&self, items: Items<'_, '_>) -> Result<Value<'a>, SyntaxError> {
        if keys_are_distinct(self.src, items) {
            return self.decode_distinct(items);
        }
        let mut map = GoMap::default();
        let mut done = Done::default();
        for item in items.iter() {
            self.decode_member(items, &item, &mut map, &mut done)?;
        }
        Ok(into_map(map))
    }

    /// An object's items as a map node, taken: as [`Self::decode_items`], but when no item
    /// has labels each is dropped once decoded, its values taken too ([`take_each`]), so that
    /// the syntax tree shrinks as the tree grows: straight into the entries when no key
    /// repeats (as [`Self::decode_distinct`] makes them), through Go's map when one does (as
    /// [`Self::decode_member`] merges, [`Self::decode_member_taken`]). Labels gather items
    /// from anywhere in the object (`ObjectList.Filter`): such an object is read in place.
    fn decode_items_taken(&self, items: Vec<Item>) -> Result<Value<'a>, SyntaxError> {
        if items.iter().any(|i| i.keys.len() != 1) {
            return self.decode_items(Items::Syntax(&items));
        }
        if !keys_are_distinct(self.src, Items::Syntax(&items)) {
            let mut map = GoMap::default();
            take_each(items, |item| self.decode_member_taken(item, &mut map))?;
            return Ok(into_map(map));
        }
        let entries = take_all(items, |item| {
            let first = item.keys[0];
            let pos = item.val.pos();
            let value = into_value(self.decode_new_taken(item.val)?);
            Ok(Entry {
                key: first.string_value(self.src)?,
                key_pos: first.pos,
                value: Node::new(pos, value),
            })
        })?;
        Ok(Value::Map(entries.into_boxed_slice()))
    }

    /// One item without labels, taken, into `map`: [`Self::decode_member`] of an item alone
    /// under its key.
    fn decode_member_taken(&self, item: Item, map: &mut GoMap<'a>) -> Result<(), SyntaxError> {
        let first = item.keys[0];
        let key = first.string_value(self.src)?;
        let pos = item.val.pos();
        if let Some(member) = map.get_mut(&*key) {
            return merge_with(member, &key, first.pos, pos, |old| {
                self.decode_into_taken(item.val, old)
            });
        }
        let val = self.decode_new_taken(item.val)?;
        let member = Member {
            key_pos: first.pos,
            pos,
            val,
        };
        map.insert(key, member);
        Ok(())
    }

    /// [`Self::decode_into`] of a value taken: an object appended to blocks or to a list, a
    /// list's elements to a list, each taken; anything else (a scalar, or what cannot merge:
    /// its error) read in place.
    fn decode_into_taken(&self, val: Ast, old: GoVal<'a>) -> Result<GoVal<'a>, SyntaxError> {
        match (old, val) {
            (GoVal::SliceMap(mut out), Ast::Object { pos, items }) => {
                out.push(Node::new(pos, self.decode_items_taken(items.into_vec())?));
                Ok(GoVal::SliceMap(out))
            }
            (GoVal::SliceAny(mut out), Ast::List { items, .. }) => {
                take_each(items.into_vec(), |a| {
                    out.push(self.decode_element_taken(a)?);
                    Ok(())
                })?;
                Ok(GoVal::SliceAny(out))
            }
            (GoVal::SliceAny(mut out), object @ Ast::Object { .. }) => {
                out.push(self.decode_element_taken(object)?);
                Ok(GoVal::SliceAny(out))
            }
            (old, val) => self.decode_into(&GNode::Ast(&val), old),
        }
    }

    /// [`Self::decode_new`] of a value taken: an object's or a list's items are taken too.
    fn decode_new_taken(&self, val: Ast) -> Result<GoVal<'a>, SyntaxError> {
        match val {
            Ast::Object { pos, items } => {
                let map = self.decode_items_taken(items.into_vec())?;
                Ok(GoVal::SliceMap(vec![Node::new(pos, map)]))
            }
            Ast::List { items, .. } => Ok(GoVal::SliceAny(take_all(items.into_vec(), |a| {
                self.decode_element_taken(a)
            })?)),
            lit @ Ast::Lit(_) => self.decode_new(&GNode::Ast(&lit)),
        }
    }

    /// [`Self::decode_element`] of a value taken.
    fn decode_element_taken(&self, val: Ast) -> Result<Node<'a>, SyntaxError> {
        let pos = val.pos();
        let value = match val {
            Ast::Object { items, .. } => self.decode_items_taken(items.into_vec())?,
            other => into_value(self.decode_new_taken(other)?),
        };
        Ok(Node::new(pos, value))
    }

    /// An object whose first keys all differ ([`keys_are_distinct`]): each member
    /// decoded once, in order, into an entry of the map (as `decode_member` would, with
    /// nothing to skip or merge).
    fn decode_distinct(&self, items: Items<'_, '_>) -> Result<Value<'a>, SyntaxError> {
        let mut entries = Vec::with_capacity(items.len());
        let mut index = None;
        for item in items.iter() {
            let first = &item.keys[0];
            let key = first.string_value(self.src)?;
            let val = self.member_value(items, &item, &key, &mut index)?;
            let value = into_value(self.decode_new(&val)?);
            entries.push(Entry {
                key,
                key_pos: first.pos,
                value: Node::new(val.pos(), value),
            });
        }
        Ok(Value::Map(entries.into_boxed_slice()))
    }

    /// What an item's key stands for: its value, or with labels every item under that key
    /// (`ObjectList.Filter`, through the object's fold index built at the first label).
    fn member_value<'b>(
        &self,
        items: Items<'_, 'b>,
        item: &ItemRef<'b>,
        key: &str,
        index: &mut Option<FoldIndex>,
    ) -> Result<GNode<'b>, SyntaxError> {
        if item.keys.len() > 1 {
            let index = index.get_or_insert_with(|| FoldIndex::of(self.src, items));
            Ok(GNode::List(index.filter(self.src, items, key)?))
        } else {
            Ok(GNode::Ast(item.val))
        }
    }

    /// One item of an object into `map`. A key with labels takes every item under that key
    /// at once (`done` remembers it); a key already in `map` merges into its first value.
    fn decode_member(
        &self,
        items: Items<'_, '_>,
        item: &ItemRef<'_>,
        map: &mut GoMap<'a>,
        done: &mut Done<'a>,
    ) -> Result<(), SyntaxError> {
        let Some(first) = item.keys.first() else {
            return Err(SyntaxError::new(
                item.pos(),
                "expected a labelled block, found a block or value without a label under \
                 the same key",
            ));
        };
        let key = first.string_value(self.src)?;
        if done.keys.contains(&key) {
            return Ok(());
        }
        if item.keys.len() > 1 {
            done.keys.insert(key.clone());
        }
        let val = self.member_value(items, item, &key, &mut done.index)?;
        if let Some(member) = map.get_mut(&*key) {
            return self.merge(member, &key, first.pos, &val);
        }
        let v = self.decode_new(&val)?;
        let member = Member {
            key_pos: first.pos,
            pos: val.pos(),
            val: v,
        };
        map.insert(key, member);
        Ok(())
    }

    /// A repeated key: `val` decoded into the first value's Go type ([`merge_with`]).
    fn merge(
        &self,
        member: &mut Member<'a>,
        key: &str,
        key_pos: Pos,
        val: &GNode<'_>,
    ) -> Result<(), SyntaxError> {
        merge_with(member, key, key_pos, val.pos(), |old| {
            self.decode_into(val, old)
        })
    }

    /// `decodeInterface` into the Go type of `old`.
    fn decode_into(&self, node: &GNode<'_>, old: GoVal<'a>) -> Result<GoVal<'a>, SyntaxError> {
        match old {
            GoVal::Bool(_) => decode_bool(self.src, node),
            GoVal::Int(_) => decode_int(self.src, node),
            GoVal::Float(_) => decode_float(self.src, node),
            GoVal::Str(_) => decode_string(self.src, node),
            GoVal::SliceAny(v) => Ok(GoVal::SliceAny(self.decode_slice_any(node, v)?)),
            GoVal::SliceMap(v) => Ok(GoVal::SliceMap(self.decode_slice_map(node, v)?)),
        }
    }

    /// `decodeInterface` with nothing there yet: the node's own shape decides the Go type.
    fn decode_new(&self, node: &GNode<'_>) -> Result<GoVal<'a>, SyntaxError> {
        match node {
            GNode::List(_) | GNode::Ast(Ast::Object { .. }) => {
                Ok(GoVal::SliceMap(self.decode_slice_map(node, Vec::new())?))
            }
            GNode::Ast(Ast::List { .. }) => {
                Ok(GoVal::SliceAny(self.decode_slice_any(node, Vec::new())?))
            }
            GNode::Ast(Ast::Lit(t)) => match t.kind {
                Kind::Bool => decode_bool(self.src, node),
                Kind::Float => decode_float(self.src, node),
                Kind::Number => decode_int(self.src, node),
                _ => decode_string(self.src, node),
            },
            GNode::Item(i) => Err(SyntaxError::new(
                i.pos(),
                "expected a value in the list, found a labelled block",
            )),
        }
    }

    /// An element of a `[]interface{}`: an object is a map there, not a list of one.
    fn decode_element(&self, node: &GNode<'_>) -> Result<Value<'a>, SyntaxError> {
        match node {
            GNode::List(_) | GNode::Ast(Ast::Object { .. }) => self.decode_map(node),
            _ => self.decode_new(node).map(into_value),
        }
    }

    fn decode_slice_map(
        &self,
        node: &GNode<'_>,
        out: Vec<Node<'a>>,
    ) -> Result<Vec<Node<'a>>, SyntaxError> {
        let want = "a block, an object or a list of objects";
        Self::decode_slice(node, out, want, |item| self.decode_map(item))
    }

    fn decode_slice_any(
        &self,
        node: &GNode<'_>,
        out: Vec<Node<'a>>,
    ) -> Result<Vec<Node<'a>>, SyntaxError> {
        Self::decode_slice(node, out, "a list", |item| self.decode_element(item))
    }

    /// `decodeSlice`: each element of `node` decoded by `decode`, appended to `out`.
    fn decode_slice(
        node: &GNode<'_>,
        mut out: Vec<Node<'a>>,
        want: &str,
        decode: impl Fn(&GNode<'_>) -> Result<Value<'a>, SyntaxError>,
    ) -> Result<Vec<Node<'a>>, SyntaxError> {
        for item in slice_items(node, want)? {
            out.push(Node::new(item.pos(), decode(&item)?));
        }
        out.shrink_to_fit();
        Ok(out)
    }
}

/// Whether every item has a readable first key and no two are the same string. Any item
/// that would fail takes Go's path, which reports the first failure in item order.
///
/// Keys that need no unquoting (the usual case) are compared where they are written: a
/// long object's are sorted as their places in the text, 8 bytes a key (where the keys as
/// strings would take 24), so that an object of a million keys is checked while its syntax
/// tree is whole.
fn keys_are_distinct(src: &str, items: Items<'_, '_>) -> bool {
    let mut plain = true;
    for item in items.iter() {
        match item.keys.first().map(|k| k.string_value(src)) {
            Some(Ok(Cow::Borrowed(_))) => {}
            Some(Ok(Cow::Owned(_))) => plain = false,
            _ => return false,
        }
    }
    if !plain {
        let mut keys: Vec<_> = items
            .iter()
            .map(|i| i.keys[0].string_value(src).unwrap_or_default())
            .collect();
        keys.sort_unstable();
        return keys.windows(2).all(|w| w[0] != w[1]);
    }
    if items.len() <= 16 {
        let key = |i: usize| items.get(i).keys[0].plain_value(src);
        return (0..items.len()).all(|i| (0..i).all(|j| key(i) != key(j)));
    }
    let text = src.as_bytes();
    let key = |(start, end): (u32, u32)| &text[start as usize..end as usize];
    let mut spans: Vec<_> = items.iter().map(|i| i.keys[0].plain_span()).collect();
    spans.sort_unstable_by(|&a, &b| key(a).cmp(key(b)));
    spans.windows(2).all(|w| key(w[0]) != key(w[1]))
}

fn decode_bool<'a>(src: &'a str, node: &GNode<'_>) -> Result<GoVal<'a>, SyntaxError> {
    match literal(node) {
        Some(t) if t.kind == Kind::Bool => Ok(GoVal::Bool(t.text(src) == "true")),
        _ => Err(mismatch(node, "a bool")),
    }
}

fn decode_float<'a>(src: &'a str, node: &GNode<'_>) -> Result<GoVal<'a>, SyntaxError> {
    let Some(t) = literal(node).filter(|t| matches!(t.kind, Kind::Float | Kind::Number)) else {
        return Err(mismatch(node, "a number"));
    };
    let text = t.text(src);
    go_parse_float(text).map(GoVal::Float).ok_or_else(|| {
        SyntaxError::new(
            t.pos,
            format!("expected a finite decimal number, found {text}"),
        )
    })
}

fn decode_int<'a>(src: &'a str, node: &GNode<'_>) -> Result<GoVal<'a>, SyntaxError> {
    let Some(t) = literal(node) else {
        return Err(mismatch(node, "an integer"));
    };
    let text: Cow<'_, str> = match t.kind {
        Kind::Number => Cow::Borrowed(t.text(src)),
        Kind::Str | Kind::JStr | Kind::Null => t.string_value(src)?,
        _ => return Err(mismatch(node, "an integer")),
    };
    go_parse_int(&text).map(GoVal::Int).ok_or_else(|| {
        SyntaxError::new(
            t.pos,
            format!("expected an integer that fits in 64 bits, found {text}"),
        )
    })
}

fn decode_string<'a>(src: &'a str, node: &GNode<'_>) -> Result<GoVal<'a>, SyntaxError> {
    let Some(t) = literal(node) else {
        return Err(mismatch(node, "a string"));
    };
    match t.kind {
        Kind::Number => Ok(GoVal::Str(Cow::Borrowed(t.text(src)))),
        Kind::Str | Kind::JStr | Kind::Null => t.string_value(src).map(GoVal::Str),
        Kind::Heredoc => Ok(GoVal::Str(Cow::Owned(t.heredoc_value(src)))),
        _ => Err(mismatch(node, "a string")),
    }
}

/// What an object's decoding has done: the labelled keys already taken, and the fold index
/// of its items (built at the first labelled key).
#[derive(Default)]
struct Done<'a> {
    keys: HashSet<Cow<'a, str>>,
    index: Option<FoldIndex>,
}

/// An object's items by the fold of their first key ([`fold_key`]): two keys
/// [`equal_fold`] compares equal always share a bucket.
struct FoldIndex {
    buckets: HashMap<String, Vec<usize>>,
    /// The first item whose first key cannot be read (as a string).
    first_error: Option<usize>,
}

impl FoldIndex {
    fn of(src: &str, items: Items<'_, '_>) -> Self {
        let mut index = Self {
            buckets: HashMap::new(),
            first_error: None,
        };
        for (i, item) in items.iter().enumerate() {
            let Some(first) = item.keys.first() else {
                continue;
            };
            match first.string_value(src) {
                Ok(k) => index.buckets.entry(fold_key(&k)).or_default().push(i),
                Err(_) => {
                    index.first_error.get_or_insert(i);
                }
            }
        }
        index
    }

    /// `ObjectList.Filter(key)`: the items whose first key is `key` (compared without case),
    /// that key stripped. Reads only the items of `key`'s fold bucket, so an object with many
    /// labelled keys decodes in linear time (Go's decoder scans every item for every key).
    fn filter<'b>(
        &self,
        src: &str,
        items: Items<'_, 'b>,
        key: &str,
    ) -> Result<Vec<ItemRef<'b>>, SyntaxError> {
        if let Some(i) = self.first_error {
            // As the full scan would: the first key that cannot be read stops it.
            let first = &items.get(i).keys[0];
            return first.string_value(src).map(|_| Vec::new());
        }
        let mut out = Vec::new();
        for &i in self
            .buckets
            .get(&fold_key(key))
            .map_or(&[][..], Vec::as_slice)
        {
            let item = items.get(i);
            let k = item.keys[0].string_value(src)?;
            if k == key || equal_fold(&k, key) {
                out.push(ItemRef {
                    keys: &item.keys[1..],
                    val: item.val,
                });
            }
        }
        Ok(out)
    }
}

/// A key's bucket: each character replaced by [`fold_char`]'s.
fn fold_key(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        fold_char(c, &mut out);
    }
    out
}

/// Appends the fold of one character, the same for every pair [`equal_fold`] relates: the
/// lowercase of the uppercase of its lowercase, character by character (`ς`, `σ` and `Σ`
/// give `σ`; `ſ`, `s` and `S` give `s`; the Kelvin sign, `k` and `K` give `k`; `ß` and `ẞ`
/// give `ss`). Checked over every Unicode scalar value in the tests.
fn fold_char(c: char, out: &mut String) {
    for lower in c.to_lowercase() {
        for upper in lower.to_uppercase() {
            out.extend(upper.to_lowercase());
        }
    }
}

/// Go's `strings.EqualFold`, close enough: per-character simple case folding.
#[allow(clippy::many_single_char_names)] // kept close to the Go names
fn equal_fold(a: &str, b: &str) -> bool {
    let mut x = a.chars();
    let mut y = b.chars();
    loop {
        match (x.next(), y.next()) {
            (None, None) => return true,
            (Some(c), Some(d)) => {
                if c != d
                    && !c.to_lowercase().eq(d.to_lowercase())
                    && !c.to_uppercase().eq(d.to_uppercase())
                {
                    return false;
                }
            }
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    /// Every pair of characters `equal_fold` relates (same lowercase or same uppercase) has
    /// one `fold_char`, over all of Unicode: keys that compare equal share a bucket.
    #[test]
    fn characters_equal_fold_relates_share_a_fold() {
        let mut by_lower: HashMap<String, Vec<char>> = HashMap::new();
        let mut by_upper: HashMap<String, Vec<char>> = HashMap::new();
        for c in (0..=0x10_FFFF).filter_map(char::from_u32) {
            by_lower
                .entry(c.to_lowercase().collect())
                .or_default()
                .push(c);
            by_upper
                .entry(c.to_uppercase().collect())
                .or_default()
                .push(c);
        }
        let fold = |c: char| {
            let mut s = String::new();
            fold_char(c, &mut s);
            s
        };
        for group in by_lower.values().chain(by_upper.values()) {
            let first = fold(group[0]);
            for &c in group {
                assert_eq!(fold(c), first, "{c:?} and {:?}", group[0]);
            }
        }
    }

    fn parse(src: &str) -> Result<serde_json::Value, SyntaxError> {
        crate::syntax::hcl::parse(src, &crate::syntax::tree::Limits::default()).map(|n| n.to_json())
    }

    /// Objects and lists long enough that their syntax items are taken and given back as they
    /// are decoded: every member and element in its place.
    #[test]
    fn long_objects_and_lists_decode_in_order() {
        use std::fmt::Write as _;
        let n = 10_000;
        let mut src = String::from("list = [");
        for i in 0..n {
            let _ = write!(src, "{{ v = {i} }}, [\"s{i}\"], ");
        }
        src.push_str("]\nblock {\n");
        for i in 0..n {
            let _ = writeln!(src, "k{i} = {i}");
        }
        src.push_str("}\n");
        let tree = parse(&src).unwrap();
        let list = tree["list"].as_array().unwrap();
        assert_eq!(list.len(), 2 * n);
        for i in 0..n {
            assert_eq!(list[2 * i], serde_json::json!({ "v": i }));
            assert_eq!(list[2 * i + 1], serde_json::json!([format!("s{i}")]));
        }
        let block = tree["block"][0].as_object().unwrap();
        let keys: Vec<String> = (0..n).map(|i| format!("k{i}")).collect();
        assert!(block.keys().eq(keys.iter()));
        assert!(block.values().enumerate().all(|(i, v)| v == i));
    }

    /// Keys that repeat (their items taken one by one, as in a long agent file of `services`
    /// blocks), at the top and inside a block: blocks gather in order, lists concatenate
    /// (an object merged into a list is one element), the last scalar wins.
    #[test]
    fn repeated_keys_merge_in_order() {
        use std::fmt::Write as _;
        let n = 3000;
        let mut body = String::new();
        for i in 0..n {
            let _ = writeln!(
                body,
                "t {{ v = {i} }}\nl = [{i}, {{ w = {i} }}]\nl = {{ o = {i} }}"
            );
            let _ = writeln!(body, "s = {i}\nu = [{{ x = {i} }}]");
        }
        let src = format!("{body}block {{\n{body}}}\n");
        let tree = parse(&src).unwrap();
        for map in [&tree, &tree["block"][0]] {
            let (t, l, u) = (&map["t"], &map["l"], &map["u"]);
            assert_eq!(t.as_array().unwrap().len(), n);
            assert_eq!(l.as_array().unwrap().len(), 3 * n);
            assert_eq!(u.as_array().unwrap().len(), n);
            for i in 0..n {
                assert_eq!(t[i], serde_json::json!({ "v": i }));
                assert_eq!(l[3 * i], serde_json::json!(i));
                assert_eq!(l[3 * i + 1], serde_json::json!({ "w": i }));
                assert_eq!(l[3 * i + 2], serde_json::json!({ "o": i }));
                assert_eq!(u[i], serde_json::json!({ "x": i }));
            }
            assert_eq!(map["s"], serde_json::json!(n - 1));
            let keys: Vec<&str> = map
                .as_object()
                .unwrap()
                .keys()
                .map(String::as_str)
                .collect();
            assert_eq!(keys[..4], ["t", "l", "s", "u"]);
        }
    }

    /// A repeated key whose value cannot merge says where the key was first; a bad value
    /// written before it is reported first, at the top and inside a block.
    #[test]
    fn repeated_keys_report_the_first_error() {
        let e = parse("t { a = 1 }\nx = 1\nt = \"s\"\n").unwrap_err();
        assert_eq!(e.pos, Pos::new(3, 5));
        assert_eq!(
            e.message,
            "expected a block, an object or a list of objects, found a string \
             (key \"t\" repeats, first as a block at 1:1)"
        );
        let e = parse("b {\n t {}\n t { a = 99999999999999999999 }\n t = 1\n}\n").unwrap_err();
        assert_eq!(e.pos, Pos::new(3, 10));
        assert!(e.message.contains("99999999999999999999"), "{e}");
        assert!(e.message.contains("key \"t\" repeats"), "{e}");
    }

    /// Of two bad values, the first one written is reported, in a long object and in a long
    /// list (their items taken one by one).
    #[test]
    fn the_first_bad_value_is_reported() {
        use std::fmt::Write as _;
        let big = "99999999999999999999";
        let mut object = String::new();
        let mut list = String::from("x = [\n");
        for i in 0..5000 {
            let v = if i == 3000 || i == 4000 { big } else { "1" };
            let _ = writeln!(object, "k{i} = {v}");
            let _ = writeln!(list, "{v},");
        }
        list.push_str("]\n");
        for src in [object, list] {
            let e = parse(&src).unwrap_err();
            assert!(e.message.contains(big), "{e}");
            assert_eq!(e.pos.line, if src.starts_with('x') { 3002 } else { 3001 });
        }
    }

    /// Many different labelled keys: linear, and each key's blocks still gathered (also the
    /// ones spelled in another case).
    #[test]
    fn many_labelled_keys_are_gathered_by_fold() {
        let mut src = String::new();
        for i in 0..20_000 {
            use std::fmt::Write as _;
            let _ = writeln!(src, "k{i} \"x\" {{}}");
        }
        src.push_str("K7 \"y\" {}\n");
        let tree = crate::syntax::hcl::parse(&src, &crate::syntax::tree::Limits::default())
            .unwrap()
            .to_json();
        assert_eq!(tree.as_object().unwrap().len(), 20_001);
        assert_eq!(tree["k7"].as_array().unwrap().len(), 2);
        assert_eq!(tree["K7"], tree["k7"]);
    }
}
