//! HCL1's JSON dialect, which the Go package uses for any text whose first non-space
//! character is `{`: its own scanner (`github.com/hashicorp/hcl/json/scanner`) and parser
//! (`json/parser`), which stops after the first object, skips booleans and nested `[` in
//! lists and reads `null` as `""`; then `flattenObjects`, which turns objects of objects
//! into labelled blocks; then the same decoder as HCL.

use crate::syntax::hcl::ast::{Ast, Item, Keys};
use crate::syntax::hcl::cursor::{Cursor, EOF};
use crate::syntax::hcl::decoder;
use crate::syntax::hcl::parser::{Budget, PErr, deeper, forgive_at_close, label_depth};
use crate::syntax::hcl::token::{Kind, Token};
use crate::syntax::hcl::unicode::{is_digit, is_letter};
use crate::syntax::tree::{Node, Pos, SyntaxError};

/// Reads a document of the JSON dialect into the tree, nesting at most `max_depth` levels
/// and holding at most `budget`'s values.
pub(super) fn parse(src: &str, max_depth: usize, budget: Budget) -> Result<Node<'_>, SyntaxError> {
    let mut parser = Parser {
        sc: Scanner {
            c: Cursor::new(src, true),
        },
        tok: Token::start(),
        max_depth,
        budget,
    };
    let items = match parser.root() {
        Ok(items) => items,
        Err(PErr::Fatal(e) | PErr::Syntax(e)) => return Err(e),
        Err(PErr::Eof) => {
            return Err(SyntaxError::new(
                parser.tok.pos,
                "expected a json object, found end of input",
            ));
        }
    };
    decoder::decode(src, flatten_items(items))
}

struct Scanner<'a> {
    c: Cursor<'a>,
}

impl Scanner<'_> {
    /// The next token of the dialect.
    fn scan(&mut self) -> Result<Token, SyntaxError> {
        let (ch, start, pos) = self.c.start_token()?;
        let kind = self.kind(ch, start, pos)?;
        Ok(self.c.token(kind, start, pos))
    }

    /// Reads the rest of the token that starts with `ch`.
    fn kind(&mut self, ch: char, start: usize, pos: Pos) -> Result<Kind, SyntaxError> {
        if is_letter(ch) {
            return self.keyword(start, pos);
        }
        if ch.is_ascii_digit() {
            return self.scan_number(ch);
        }
        match ch {
            EOF => Ok(Kind::Eof),
            '"' => self.scan_string().map(|()| Kind::JStr),
            '.' => self.c.fraction_or_period(),
            ':' => Ok(Kind::Colon),
            '-' if self.c.peek().is_ascii_digit() => {
                let c = self.c.next()?;
                self.scan_number(c)
            }
            _ => Kind::bracket_or_comma(ch).ok_or_else(|| illegal(pos, &format!("{ch:?}"))),
        }
    }

    /// `true`, `false` or `null`; any other word is an error.
    fn keyword(&mut self, start: usize, pos: Pos) -> Result<Kind, SyntaxError> {
        let mut c = self.c.next()?;
        while is_letter(c) || is_digit(c) || c == '-' {
            c = self.c.next()?;
        }
        self.c.unread_unless_eof(c);
        match self.c.text_from(start) {
            "true" | "false" => Ok(Kind::Bool),
            "null" => Ok(Kind::Null),
            word => Err(illegal(pos, &format!("the bare word {word}"))),
        }
    }

    fn scan_number(&mut self, first: char) -> Result<Kind, SyntaxError> {
        let zero = first == '0';
        let at = self.c.mark();
        self.c.scan_mantissa(first)?;
        let ch = self.c.next()?;
        if self.c.scan_number_tail(ch)? == Kind::Float {
            return Ok(Kind::Float);
        }
        if zero && at != self.c.mark() {
            return self.c.err("expected a number without leading zeros");
        }
        Ok(Kind::Number)
    }

    /// After `"`: up to the closing quote on the same line.
    fn scan_string(&mut self) -> Result<(), SyntaxError> {
        loop {
            let ch = self.c.next()?;
            if ch == '\n' || ch == EOF {
                return self
                    .c
                    .err("expected '\"' to end the string, found the end of the line");
            }
            if ch == '"' {
                return Ok(());
            }
            if ch == '\\' {
                self.c.scan_escape()?;
            }
        }
    }
}

fn illegal(pos: Pos, what: &str) -> SyntaxError {
    SyntaxError::new(
        pos,
        format!("expected a json value or punctuation, found {what}"),
    )
}

struct Parser<'a> {
    sc: Scanner<'a>,
    tok: Token,
    max_depth: usize,
    budget: Budget,
}

impl Parser<'_> {
    fn scan(&mut self) -> Result<Token, PErr> {
        self.tok = self.sc.scan()?;
        Ok(self.tok)
    }

    /// The dialect's `Parse`: one object; whatever follows it is never read.
    fn root(&mut self) -> Result<Vec<Item>, PErr> {
        let tok = self.scan()?;
        match tok.kind {
            Kind::LBrace => match self.object_type(0)? {
                Ast::Object { items, .. } => Ok(items.into_vec()),
                _ => Ok(Vec::new()),
            },
            Kind::Eof => Err(PErr::Eof),
            other => Err(PErr::syntax(
                tok.pos,
                format!("expected '{{', found {}", other.describe()),
            )),
        }
    }

    /// An object, after its `{`.
    fn object_type(&mut self, depth: usize) -> Result<Ast, PErr> {
        let pos = self.tok.pos;
        let depth = deeper(depth, self.max_depth, pos)?;
        let mut items = Vec::new();
        let res = self.object_list(depth, &mut items);
        forgive_at_close(res, self.tok.kind)?;
        let items = items.into_boxed_slice();
        Ok(Ast::Object { pos, items })
    }

    fn object_list(&mut self, depth: usize, items: &mut Vec<Item>) -> Result<(), PErr> {
        loop {
            match self.object_item(depth) {
                Ok(item) => items.push(item),
                Err(PErr::Eof) => return Ok(()),
                Err(e) => return Err(e),
            }
            // Anything but a comma ends the object, unchecked, as in Go.
            if self.scan()?.kind != Kind::Comma {
                return Ok(());
            }
        }
    }

    fn object_item(&mut self, depth: usize) -> Result<Item, PErr> {
        let keys = self.keys()?;
        self.budget.take(self.tok.pos)?;
        let depth = label_depth(depth, &keys, self.max_depth)?;
        let val = self.value(depth)?;
        Ok(Item {
            keys: Keys::from(keys),
            val,
        })
    }

    /// An item's keys (strings), up to its `:`.
    fn keys(&mut self) -> Result<Vec<Token>, PErr> {
        let mut keys = Vec::new();
        loop {
            let tok = self.scan()?;
            match tok.kind {
                Kind::Eof => return Err(PErr::Eof),
                Kind::JStr => keys.push(tok),
                Kind::Colon if !keys.is_empty() => {
                    return Ok(keys);
                }
                other => {
                    let msg = format!("expected a string key, found {}", other.describe());
                    return Err(PErr::syntax(tok.pos, msg));
                }
            }
        }
    }

    /// The value after a `:`.
    fn value(&mut self, depth: usize) -> Result<Ast, PErr> {
        let tok = self.scan()?;
        match tok.kind {
            Kind::Number | Kind::Float | Kind::Bool | Kind::Null | Kind::JStr => Ok(Ast::Lit(tok)),
            Kind::LBrace => self.object_type(depth),
            Kind::LBrack => self.list_type(depth),
            Kind::Eof => Err(PErr::Eof),
            other => Err(PErr::syntax(
                tok.pos,
                format!("expected a json value, found {}", other.describe()),
            )),
        }
    }

    /// A list, after its `[`.
    fn list_type(&mut self, depth: usize) -> Result<Ast, PErr> {
        let pos = self.tok.pos;
        let depth = deeper(depth, self.max_depth, pos)?;
        let mut items = Vec::new();
        loop {
            let tok = self.scan()?;
            if matches!(
                tok.kind,
                Kind::Number | Kind::Float | Kind::JStr | Kind::LBrace
            ) {
                self.budget.take(tok.pos)?;
            }
            match tok.kind {
                Kind::Number | Kind::Float | Kind::JStr => items.push(Ast::Lit(tok)),
                // Go skips booleans and the '[' of nested lists in lists.
                Kind::Comma | Kind::Bool | Kind::LBrack => {}
                Kind::LBrace => items.push(self.object_type(depth)?),
                Kind::RBrack => {
                    let items = items.into_boxed_slice();
                    return Ok(Ast::List { pos, items });
                }
                other => {
                    return Err(PErr::syntax(
                        tok.pos,
                        format!(
                            "expected a list element or ']' in the list opened at {pos}, found {}",
                            other.describe()
                        ),
                    ));
                }
            }
        }
    }
}

/// `flattenObjects`: an item whose value is a non-empty object of objects becomes one item per
/// inner key (keys joined, like block labels), and one whose value is a non-empty list of
/// objects becomes one item per element; then the same inside every value.
fn flatten_items(items: Vec<Item>) -> Vec<Item> {
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        flatten_item(item, &mut out);
    }
    for item in &mut out {
        flatten_value(&mut item.val);
    }
    out
}

fn flatten_item(item: Item, out: &mut Vec<Item>) {
    let Item { keys, val } = item;
    match val {
        Ast::Object { items: sub, .. } if is_object_of_objects(&sub) => {
            for s in sub {
                let mut k = keys.to_vec();
                k.extend_from_slice(&s.keys);
                flatten_item(
                    Item {
                        keys: Keys::from(k),
                        val: s.val,
                    },
                    out,
                );
            }
        }
        Ast::List { items: elems, .. } if is_list_of_objects(&elems) => {
            for e in elems {
                let keys = keys.clone();
                flatten_item(Item { keys, val: e }, out);
            }
        }
        val => out.push(Item { keys, val }),
    }
}

fn is_object_of_objects(items: &[Item]) -> bool {
    !items.is_empty() && items.iter().all(|s| matches!(s.val, Ast::Object { .. }))
}

fn is_list_of_objects(elems: &[Ast]) -> bool {
    !elems.is_empty() && elems.iter().all(|e| matches!(e, Ast::Object { .. }))
}

fn flatten_value(val: &mut Ast) {
    match val {
        Ast::Object { items, .. } => {
            *items = flatten_items(std::mem::take(items).into_vec()).into_boxed_slice();
        }
        Ast::List { items, .. } => items.iter_mut().for_each(flatten_value),
        Ast::Lit(_) => {}
    }
}
