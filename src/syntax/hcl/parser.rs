//! The HCL parser: a port of `github.com/hashicorp/hcl/hcl/parser`, building the small
//! [`Ast`], with its permissive corners: an error met on a closing brace drops the item it
//! was in, `key =` at the very end is ignored, `[[1] [2]]` needs no comma, leading and
//! doubled commas in lists are fine.

use crate::syntax::hcl::ast::{Ast, Item, Keys};
use crate::syntax::hcl::scanner::Scanner;
use crate::syntax::hcl::token::{Kind, Token};
use crate::syntax::tree::{Limits, Pos, SyntaxError};

/// Reads the items of an HCL document (`parser.Parse`), nesting at most `max_depth` levels
/// and holding at most `budget`'s values.
pub(super) fn parse(src: &str, max_depth: usize, budget: Budget) -> Result<Vec<Item>, SyntaxError> {
    let mut parser = Parser {
        sc: Scanner::new(src),
        tok: Token::start(),
        buffered: false,
        max_depth,
        budget,
    };
    let mut items = Vec::new();
    match parser.object_list(false, 0, &mut items) {
        Ok(()) => {
            items.shrink_to_fit();
            Ok(items)
        }
        // The top level ends at the end of input without an error.
        Err(PErr::Eof) => Ok(Vec::new()),
        Err(PErr::Fatal(e) | PErr::Syntax(e)) => Err(e),
    }
}

/// How a parse step failed: `Fatal` errors (scanner errors, limits) always end the parse;
/// `Syntax` errors may be dropped by an enclosing object, exactly as the Go parser does.
pub(super) enum PErr {
    Fatal(SyntaxError),
    Syntax(SyntaxError),
    Eof,
}

impl From<SyntaxError> for PErr {
    fn from(e: SyntaxError) -> Self {
        Self::Fatal(e)
    }
}

impl PErr {
    pub(super) fn syntax(pos: Pos, message: impl Into<String>) -> Self {
        Self::Syntax(SyntaxError::new(pos, message))
    }
}

/// The values a document may still hold ([`Limits::max_values`]): the parsers count every
/// item and list element against it.
pub(super) struct Budget {
    left: usize,
    limits: Limits,
}

impl Budget {
    pub(super) fn of(limits: &Limits) -> Self {
        Self {
            left: limits.max_values(),
            limits: *limits,
        }
    }

    /// One more value, at `pos`: an error past the limit.
    pub(super) fn take(&mut self, pos: Pos) -> Result<(), PErr> {
        match self.left.checked_sub(1) {
            Some(left) => {
                self.left = left;
                Ok(())
            }
            None => Err(PErr::Fatal(self.limits.too_many_values(pos))),
        }
    }
}

/// One level deeper than `depth`, for a list, object or label starting at `pos`.
pub(super) fn deeper(depth: usize, max_depth: usize, pos: Pos) -> Result<usize, PErr> {
    let d = depth + 1;
    if d > max_depth {
        return Err(PErr::Fatal(SyntaxError::too_deep(pos, max_depth)));
    }
    Ok(d)
}

/// The depth inside an item's value: labels nest like objects in the tree, one level each.
pub(super) fn label_depth(depth: usize, keys: &[Token], max_depth: usize) -> Result<usize, PErr> {
    let mut depth = depth;
    for k in keys.iter().skip(1) {
        depth = deeper(depth, max_depth, k.pos)?;
    }
    Ok(depth)
}

/// The end of an object's item list: the Go parsers drop a syntax error met on a closing
/// brace (`at`), and the item it was in.
pub(super) fn forgive_at_close(res: Result<(), PErr>, at: Kind) -> Result<(), PErr> {
    match res {
        Ok(()) | Err(PErr::Eof) => Ok(()),
        Err(PErr::Syntax(_)) if at == Kind::RBrace => Ok(()),
        Err(e) => Err(e),
    }
}

struct Parser<'a> {
    sc: Scanner<'a>,
    tok: Token,
    buffered: bool,
    max_depth: usize,
    budget: Budget,
}

impl Parser<'_> {
    /// The next token that is not a comment (the buffered one after [`Self::unscan`]).
    fn scan(&mut self) -> Result<Token, PErr> {
        if self.buffered {
            self.buffered = false;
            return Ok(self.tok);
        }
        loop {
            self.tok = self.sc.scan()?;
            if self.tok.kind != Kind::Comment {
                return Ok(self.tok);
            }
        }
    }

    fn unscan(&mut self) {
        self.buffered = true;
    }

    fn peek(&mut self) -> Result<Token, PErr> {
        let tok = self.scan()?;
        self.unscan();
        Ok(tok)
    }

    fn text(&self, t: &Token) -> &str {
        t.text(self.sc.src())
    }

    /// The items of the document (`obj` false) or of an object, up to its `}`, into `items`.
    fn object_list(&mut self, obj: bool, depth: usize, items: &mut Vec<Item>) -> Result<(), PErr> {
        loop {
            if obj && self.peek()?.kind == Kind::RBrace {
                return Ok(());
            }
            match self.object_item(depth) {
                Ok(item) => items.push(item),
                Err(PErr::Eof) => return Ok(()),
                Err(e) => return Err(e),
            }
            if self.scan()?.kind != Kind::Comma {
                self.unscan();
            }
        }
    }

    fn object_item(&mut self, depth: usize) -> Result<Item, PErr> {
        let mut keys = Vec::new();
        let res = self.object_key(&mut keys);
        self.forgive_key(&keys, res)?;
        self.budget.take(self.tok.pos)?;
        let depth = label_depth(depth, &keys, self.max_depth)?;
        let val = match self.tok.kind {
            Kind::Assign => self.object(depth)?,
            Kind::LBrace => self.object_type(depth)?,
            other => {
                let names: Vec<&str> = keys.iter().map(|k| self.text(k)).collect();
                return Err(PErr::syntax(
                    self.tok.pos,
                    format!(
                        "expected '=' or '{{' after the key {}, found {}",
                        names.join(" "),
                        other.describe()
                    ),
                ));
            }
        };
        self.peek()?;
        Ok(Item {
            keys: Keys::from(keys),
            val,
        })
    }

    /// Go's `objectItem` lets keys end at the end of input, and lets them meet an error on a
    /// closing brace, which then reads as the end.
    fn forgive_key(&mut self, keys: &[Token], res: Result<(), PErr>) -> Result<(), PErr> {
        match res {
            Err(PErr::Eof) if !keys.is_empty() => Ok(()),
            Err(PErr::Syntax(_)) if !keys.is_empty() && self.tok.kind == Kind::RBrace => {
                self.tok.kind = Kind::Eof;
                Ok(())
            }
            res => res,
        }
    }

    /// The key and labels of an item, into `keys`, up to its `=` or `{`.
    fn object_key(&mut self, keys: &mut Vec<Token>) -> Result<(), PErr> {
        loop {
            let tok = self.scan()?;
            match tok.kind {
                Kind::Ident | Kind::Str => keys.push(tok),
                Kind::Eof => return Err(PErr::Eof),
                Kind::Assign if keys.len() > 1 => {
                    keys.clear();
                    let msg = "expected '{' after a key with labels, found '='";
                    return Err(PErr::syntax(tok.pos, msg));
                }
                Kind::Assign | Kind::LBrace if keys.is_empty() => {
                    let msg = format!("expected a key before {}, found none", tok.kind.describe());
                    return Err(PErr::syntax(tok.pos, msg));
                }
                Kind::Assign | Kind::LBrace => return Ok(()),
                other => {
                    let what = if keys.is_empty() {
                        "a key"
                    } else {
                        "a label, '=' or '{'"
                    };
                    let msg = format!("expected {what}, found {}", other.describe());
                    return Err(PErr::syntax(tok.pos, msg));
                }
            }
        }
    }

    /// The value after `=`.
    fn object(&mut self, depth: usize) -> Result<Ast, PErr> {
        let tok = self.scan()?;
        match tok.kind {
            Kind::Number | Kind::Float | Kind::Bool | Kind::Str | Kind::Heredoc => {
                Ok(Ast::Lit(tok))
            }
            Kind::LBrace => self.object_type(depth),
            Kind::LBrack => self.list_type(depth),
            Kind::Eof => Err(PErr::Eof),
            _ => Err(self.unexpected(
                "expected a value (string, number, bool, list or object)",
                &tok,
            )),
        }
    }

    /// A syntax error: `expected`, and what `tok` is (a bare word with a hint to quote it).
    fn unexpected(&self, expected: &str, tok: &Token) -> PErr {
        let found = if tok.kind == Kind::Ident {
            let word = self.text(tok);
            format!("the bare word {word} (quote it: \"{word}\")")
        } else {
            tok.kind.describe().to_owned()
        };
        PErr::syntax(tok.pos, format!("{expected}, found {found}"))
    }

    /// An object, after its `{`.
    fn object_type(&mut self, depth: usize) -> Result<Ast, PErr> {
        let pos = self.tok.pos;
        let depth = deeper(depth, self.max_depth, pos)?;
        let mut items = Vec::new();
        let res = self.object_list(true, depth, &mut items);
        forgive_at_close(res, self.tok.kind)?;
        let tok = self.scan()?;
        if tok.kind != Kind::RBrace {
            return Err(PErr::syntax(
                tok.pos,
                format!(
                    "expected '}}' to close the object opened at {pos}, found {}",
                    tok.kind.describe()
                ),
            ));
        }
        let items = items.into_boxed_slice();
        Ok(Ast::Object { pos, items })
    }

    /// A list, after its `[`.
    fn list_type(&mut self, depth: usize) -> Result<Ast, PErr> {
        let pos = self.tok.pos;
        let depth = deeper(depth, self.max_depth, pos)?;
        let mut items = Vec::new();
        let mut need_comma = false;
        loop {
            let tok = self.scan()?;
            if need_comma && !matches!(tok.kind, Kind::Comma | Kind::RBrack) {
                return Err(PErr::syntax(
                    tok.pos,
                    format!(
                        "expected ',' or ']' in the list opened at {pos}, found {}",
                        tok.kind.describe()
                    ),
                ));
            }
            if tok.kind == Kind::RBrack {
                let items = items.into_boxed_slice();
                return Ok(Ast::List { pos, items });
            }
            need_comma = self.list_element(tok, depth, &mut items)?;
        }
    }

    /// One element of a list (or a comma), into `items`; whether a comma must follow.
    fn list_element(
        &mut self,
        tok: Token,
        depth: usize,
        items: &mut Vec<Ast>,
    ) -> Result<bool, PErr> {
        if tok.kind != Kind::Comma {
            self.budget.take(tok.pos)?;
        }
        match tok.kind {
            Kind::Bool | Kind::Number | Kind::Float | Kind::Str | Kind::Heredoc => {
                items.push(Ast::Lit(tok));
                Ok(true)
            }
            Kind::Comma => {
                self.peek()?;
                Ok(false)
            }
            Kind::LBrace => {
                items.push(self.object_type(depth)?);
                Ok(true)
            }
            // A nested list needs no comma after it, as in Go.
            Kind::LBrack => {
                items.push(self.list_type(depth)?);
                Ok(false)
            }
            _ => Err(self.unexpected("expected a list element or ']'", &tok)),
        }
    }
}
