//! The syntax tree both HCL1 parsers build and the decoder reads (the parts of
//! `github.com/hashicorp/hcl/hcl/ast` the decoder looks at).

use crate::syntax::hcl::token::Token;
use crate::syntax::tree::Pos;

/// A value: a literal token, a `[ … ]` list or a `{ … }` object.
#[derive(Debug)]
pub(super) enum Ast {
    Lit(Token),
    List { pos: Pos, items: Vec<Ast> },
    Object { pos: Pos, items: Vec<Item> },
}

/// An object item: its keys (the key, then any labels) and its value.
#[derive(Debug)]
pub(super) struct Item {
    pub(super) keys: Vec<Token>,
    pub(super) val: Ast,
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
