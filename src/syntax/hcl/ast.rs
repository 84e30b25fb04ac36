//! The syntax tree both HCL1 parsers build and the decoder reads (the parts of
//! `github.com/hashicorp/hcl/hcl/ast` the decoder looks at).

use crate::syntax::hcl::token::Token;
use crate::syntax::tree::Pos;

/// A value: a literal token, a `[ … ]` list or a `{ … }` object. Boxed slices, not vectors:
/// a value is 32 bytes, not 40 (a list of two million numbers is two million of them).
#[derive(Debug)]
pub(super) enum Ast {
    Lit(Token),
    List { pos: Pos, items: Box<[Ast]> },
    Object { pos: Pos, items: Box<[Item]> },
}

/// An object item: its keys (the key, then any labels) and its value.
#[derive(Debug)]
pub(super) struct Item {
    pub(super) keys: Keys,
    pub(super) val: Ast,
}

/// An item's keys. Most items have one key, held inline: a million keys are not a million
/// allocations of 20 bytes (32 with malloc's header).
#[derive(Clone, Debug)]
pub(super) enum Keys {
    One(Token),
    Many(Box<[Token]>),
}

impl From<Vec<Token>> for Keys {
    fn from(keys: Vec<Token>) -> Self {
        match keys[..] {
            [one] => Self::One(one),
            _ => Self::Many(keys.into_boxed_slice()),
        }
    }
}

impl std::ops::Deref for Keys {
    type Target = [Token];

    fn deref(&self) -> &[Token] {
        match self {
            Self::One(one) => std::slice::from_ref(one),
            Self::Many(keys) => keys,
        }
    }
}

impl Ast {
    /// Where the value starts: the literal, or the list's or object's opening bracket.
    pub(super) fn pos(&self) -> Pos {
        match self {
            Self::Lit(t) => t.pos,
            Self::List { pos, .. } | Self::Object { pos, .. } => *pos,
        }
    }
}
