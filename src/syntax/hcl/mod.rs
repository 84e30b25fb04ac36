//! The HCL1 reader: HCL as Consul reads it, into the generic [`Node`] tree.
//!
//! Consul decodes HCL with `github.com/hashicorp/hcl` version 1 into a
//! `map[string]interface{}`. This module reproduces that decoder: the same scanner (token
//! rules, escapes, heredocs, numbers), the same parser (including its permissive corners) and
//! the same generic decoding, so that [`parse`] followed by [`Node::to_json`] gives what the Go
//! decoder prints. The differential test `tests/syntax/hcl_oracle.rs` checks this against the Go
//! package itself.
//!
//! The shapes that matter to a decoder built on top:
//!
//! - `a { b = 1 }` and `a = { b = 1 }` both give `{"a": [{"b": 1}]}`: an object is a list of
//!   one map, except inside a `[ … ]` list, where `[{ b = 1 }]` gives `[{"b": 1}]`.
//! - `a "x" { b = 1 }` gives `{"a": [{"x": [{"b": 1}]}]}`; every label adds one
//!   list-of-one-map level; several blocks with labels under the same key give one map each:
//!   `s "a" {} s "b" {}` gives `{"s": [{"a": [{}]}, {"b": [{}]}]}`.
//! - Repeated blocks append: `t {} t { z = 1 }` gives `{"t": [{}, {"z": 1}]}`; repeated lists
//!   concatenate; a repeated scalar keeps the last value, converted to the first one's type
//!   where Go can (`a = "x"` then `a = 10` gives the string `"10"`), and is an error where it
//!   cannot.
//! - Mixing a labelled block with an unlabelled use of the same key (compared without case)
//!   is an error, as in Consul.
//! - Text whose first non-space character is `{` is read as HCL1's JSON dialect, as the Go
//!   package does: `{"service": {"web": {"port": 80}}}` flattens to what
//!   `service "web" { port = 80 }` gives, `null` reads as `""`, and nothing after the first
//!   object is read.
//!
//! [`Node::to_json`]: crate::syntax::tree::Node::to_json

use indexmap::IndexMap;
use std::borrow::Cow;

use crate::syntax::tree::{Entry, Limits, Node, Pos, SyntaxError, Value};

mod unicode;

/// The deepest nesting this reader accepts whatever [`Limits::max_depth`] says: the reader
/// recurses once per level, and this bound keeps it well inside a 2 MiB thread stack even in
/// an unoptimized build.
pub const MAX_SUPPORTED_DEPTH: usize = 256;

/// Reads an HCL1 document into the generic tree, exactly as Consul's HCL1 decoder would.
///
/// The result is always a [`Value::Map`] at the top. Blocks become lists of maps, as in
/// Consul (see the [module documentation](self)).
///
/// # Errors
///
/// A [`SyntaxError`] with the line and column of the problem when the text is not HCL1 that
/// Consul accepts, when it is larger than `limits.max_bytes`, or when it nests lists, objects
/// and block labels deeper than `limits.max_depth` (or [`MAX_SUPPORTED_DEPTH`]).
///
/// # Examples
///
/// ```
/// use meshroute::tree::Limits;
///
/// let src = r#"
/// service {
///   name = "web"
///   proxy {
///     upstreams = [
///       { destination_name = "db" mesh_gateway { mode = "local" } },
///     ]
///   }
/// }
/// "#;
/// let node = meshroute::hcl::parse(src, &Limits::default())?;
/// assert_eq!(
///     node.to_json(),
///     serde_json::json!({"service": [{
///         "name": "web",
///         "proxy": [{"upstreams": [
///             {"destination_name": "db", "mesh_gateway": [{"mode": "local"}]}
///         ]}]
///     }]})
/// );
///
/// let err = meshroute::hcl::parse("mode = local", &Limits::default()).unwrap_err();
/// assert_eq!(err.pos.line, 1);
/// assert_eq!(err.pos.column, 8);
/// # Ok::<(), meshroute::tree::SyntaxError>(())
/// ```
pub fn parse(src: &str, limits: &Limits) -> Result<Node, SyntaxError> {
    if src.len() > limits.max_bytes {
        return Err(SyntaxError::over_limit(
            Pos::new(1, 1),
            format!(
                "expected at most {} bytes of hcl (the size limit), found {} bytes",
                limits.max_bytes,
                src.len()
            ),
        ));
    }
    let max_depth = limits.max_depth.min(MAX_SUPPORTED_DEPTH);
    if src.chars().find(|&c| !is_go_space(c)) == Some('{') {
        return parse_json_dialect(src, max_depth);
    }
    // The Go parser turns every "\r\n" into "\n" before scanning; removing the '\r' before a
    // '\n' never moves another character's line or column.
    let text: Cow<'_, str> = if src.contains("\r\n") {
        Cow::Owned(src.replace("\r\n", "\n"))
    } else {
        Cow::Borrowed(src)
    };
    let mut parser = Parser {
        sc: Scanner::new(&text),
        tok: Token::start(),
        buffered: false,
        max_depth,
    };
    let items = match parser.object_list(false, 0) {
        (items, Ok(())) => items,
        // The top level ends at the end of input without an error.
        (_, Err(PErr::Eof)) => Vec::new(),
        (_, Err(PErr::Fatal(e) | PErr::Syntax(e))) => return Err(e),
    };
    let dec = Decoder { src: &text };
    let refs: Vec<ItemRef<'_>> = items.iter().map(ItemRef::of).collect();
    let map = dec.decode_map(&GNode::List(refs), None)?;
    // The syntax tree is not needed once decoded: free it before the generic tree is built.
    drop(items);
    Ok(Node::new(Pos::new(1, 1), into_value(GoVal::Map(map))))
}

/// HCL1's JSON dialect, which the Go package uses for any text whose first non-space
/// character is `{`: its own JSON scanner and parser, then `flattenObjects`, then the same
/// generic decoder.
fn parse_json_dialect(src: &str, max_depth: usize) -> Result<Node, SyntaxError> {
    let mut sc = Scanner::new(src);
    sc.json = true;
    let mut parser = Parser {
        sc,
        tok: Token::start(),
        buffered: false,
        max_depth,
    };
    let items = match parser.json_root() {
        Ok(items) => items,
        Err(PErr::Fatal(e) | PErr::Syntax(e)) => return Err(e),
        Err(PErr::Eof) => {
            return Err(SyntaxError::new(
                parser.tok.pos,
                "expected a json object, found end of input",
            ));
        }
    };
    let items = flatten_items(items);
    let dec = Decoder { src };
    let refs: Vec<ItemRef<'_>> = items.iter().map(ItemRef::of).collect();
    let map = dec.decode_map(&GNode::List(refs), None)?;
    drop(items);
    Ok(Node::new(Pos::new(1, 1), into_value(GoVal::Map(map))))
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
        Ast::Object { items: sub, .. }
            if !sub.is_empty() && sub.iter().all(|s| matches!(s.val, Ast::Object { .. })) =>
        {
            for s in sub {
                let mut k = keys.clone();
                k.extend(s.keys);
                flatten_item(
                    Item {
                        keys: k,
                        val: s.val,
                    },
                    out,
                );
            }
        }
        Ast::List { items: elems, .. }
            if !elems.is_empty() && elems.iter().all(|e| matches!(e, Ast::Object { .. })) =>
        {
            for e in elems {
                flatten_item(
                    Item {
                        keys: keys.clone(),
                        val: e,
                    },
                    out,
                );
            }
        }
        val => out.push(Item { keys, val }),
    }
}

fn flatten_value(val: &mut Ast) {
    match val {
        Ast::Object { items, .. } => *items = flatten_items(std::mem::take(items)),
        Ast::List { items, .. } => items.iter_mut().for_each(flatten_value),
        Ast::Lit(_) => {}
    }
}

// ---------------------------------------------------------------------------------------------
// Scanner: a port of github.com/hashicorp/hcl/hcl/scanner.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Eof,
    Comment,
    Ident,
    Number,
    Float,
    Bool,
    Str,
    Heredoc,
    LBrack,
    LBrace,
    Comma,
    Period,
    RBrack,
    RBrace,
    Assign,
    Add,
    Sub,
    /// `:` (JSON dialect)
    Colon,
    /// `null` (JSON dialect), a string with no text to the decoder
    Null,
    /// A string of the JSON dialect, unquoted with Go's `strconv.Unquote`
    JStr,
}

impl Kind {
    fn describe(self) -> &'static str {
        match self {
            Self::Eof => "end of input",
            Self::Comment => "a comment",
            Self::Ident => "a bare word",
            Self::Number | Self::Float => "a number",
            Self::Bool => "a bool",
            Self::Str | Self::JStr => "a string",
            Self::Heredoc => "a heredoc",
            Self::LBrack => "'['",
            Self::LBrace => "'{'",
            Self::Comma => "','",
            Self::Period => "'.'",
            Self::RBrack => "']'",
            Self::RBrace => "'}'",
            Self::Assign => "'='",
            Self::Add => "'+'",
            Self::Sub => "'-'",
            Self::Colon => "':'",
            Self::Null => "null",
        }
    }
}

#[derive(Clone, Copy, Debug)]
struct Token {
    kind: Kind,
    pos: Pos,
    start: usize,
    end: usize,
}

impl Token {
    const fn start() -> Self {
        Self {
            kind: Kind::Eof,
            pos: Pos::new(1, 1),
            start: 0,
            end: 0,
        }
    }
}

/// The end-of-input marker rune, as in the Go scanner (a NUL character also reads as it).
const EOF: char = '\0';

#[derive(Clone, Copy)]
struct SrcPos {
    offset: usize,
    line: u32,
    column: u32,
}

struct Scanner<'a> {
    src: &'a str,
    pos: SrcPos,
    prev: SrcPos,
    last_char_len: usize,
    last_line_len: u32,
    /// Reading HCL1's JSON dialect, whose scanner differs in places.
    json: bool,
    /// Reads past the end, which move Go's column (and so its position comparisons).
    eof_reads: u32,
}

impl<'a> Scanner<'a> {
    fn new(src: &'a str) -> Self {
        let start = SrcPos {
            offset: 0,
            line: 1,
            column: 0,
        };
        Self {
            src,
            pos: start,
            prev: start,
            last_char_len: 0,
            last_line_len: 0,
            json: false,
            eof_reads: 0,
        }
    }

    fn err<T>(&self, msg: &str) -> Result<T, SyntaxError> {
        Err(SyntaxError::new(self.recent_position(), msg))
    }

    fn recent_position(&self) -> Pos {
        if self.pos.column > 0 {
            Pos::new(self.pos.line, self.pos.column)
        } else if self.last_line_len > 0 {
            Pos::new(self.pos.line.saturating_sub(1), self.last_line_len)
        } else {
            Pos::new(1, 1)
        }
    }

    fn next(&mut self) -> Result<char, SyntaxError> {
        let ch = match self.src.as_bytes().get(self.pos.offset) {
            Some(&b) if b.is_ascii() => Some(char::from(b)),
            Some(_) => self.src[self.pos.offset..].chars().next(),
            None => None,
        };
        let Some(ch) = ch else {
            // Go moves the column on at each read past the end; staying put keeps the
            // position of "end of input" errors on the character after the last one.
            if self.pos.column == 0 {
                self.pos.column = 1;
                self.pos.line = self.pos.line.max(1);
            }
            self.last_char_len = 0;
            self.eof_reads = self.eof_reads.saturating_add(1);
            return Ok(EOF);
        };
        self.prev = self.pos;
        self.pos.column = self.pos.column.saturating_add(1);
        self.last_char_len = ch.len_utf8();
        self.pos.offset += ch.len_utf8();
        if ch == '\n' {
            self.pos.line = self.pos.line.saturating_add(1);
            self.last_line_len = self.pos.column;
            self.pos.column = 0;
        }
        if self.json {
            // The JSON scanner reads a NUL character as the end of input.
            return Ok(ch);
        }
        if ch == '\0' {
            return self.err("expected text, found a null character (0x00)");
        }
        if ch == '\u{E123}' {
            return self.err("expected text, found U+E123, reserved for internal use");
        }
        Ok(ch)
    }

    fn unread(&mut self) {
        self.pos = self.prev;
    }

    fn peek(&self) -> char {
        self.src[self.pos.offset..].chars().next().unwrap_or(EOF)
    }

    fn scan(&mut self) -> Result<Token, SyntaxError> {
        if self.json {
            return self.scan_json();
        }
        let mut ch = self.next()?;
        while matches!(ch, ' ' | '\t' | '\n' | '\r') {
            ch = self.next()?;
        }
        let start = self.pos.offset - self.last_char_len;
        let pos = if self.pos.column > 0 {
            Pos::new(self.pos.line, self.pos.column)
        } else {
            Pos::new(self.pos.line.saturating_sub(1), self.last_line_len)
        };
        let kind = if is_letter(ch) {
            self.scan_identifier()?;
            match &self.src[start..self.pos.offset] {
                "true" | "false" => Kind::Bool,
                _ => Kind::Ident,
            }
        } else if ch.is_ascii_digit() {
            self.scan_number(ch)?
        } else {
            match ch {
                EOF => Kind::Eof,
                '"' => {
                    self.scan_string()?;
                    Kind::Str
                }
                '#' | '/' => {
                    self.scan_comment(ch)?;
                    Kind::Comment
                }
                '.' => {
                    if self.peek().is_ascii_digit() {
                        let c = self.scan_mantissa(self.peek())?;
                        self.scan_exponent(c)?;
                        Kind::Float
                    } else {
                        Kind::Period
                    }
                }
                '<' => {
                    self.scan_heredoc()?;
                    Kind::Heredoc
                }
                '[' => Kind::LBrack,
                ']' => Kind::RBrack,
                '{' => Kind::LBrace,
                '}' => Kind::RBrace,
                ',' => Kind::Comma,
                '=' => Kind::Assign,
                '+' => Kind::Add,
                '-' => {
                    if self.peek().is_ascii_digit() {
                        let c = self.next()?;
                        self.scan_number(c)?
                    } else {
                        Kind::Sub
                    }
                }
                _ => {
                    return Err(SyntaxError::new(
                        pos,
                        format!("expected a key, value or punctuation, found {ch:?}"),
                    ));
                }
            }
        };
        Ok(Token {
            kind,
            pos,
            start,
            end: self.pos.offset,
        })
    }

    fn scan_comment(&mut self, first: char) -> Result<(), SyntaxError> {
        let mut ch = first;
        if ch == '#' || (ch == '/' && self.peek() != '*') {
            if ch == '/' && self.peek() != '/' {
                return self.err("expected '/' or '*' after '/' to start a comment");
            }
            ch = self.next()?;
            while ch != '\n' && ch != EOF {
                ch = self.next()?;
            }
            if ch != EOF {
                self.unread();
            }
            return Ok(());
        }
        if ch == '/' {
            self.next()?;
            ch = self.next()?;
        }
        loop {
            if ch == EOF {
                return self.err("expected '*/' to end the comment, found end of input");
            }
            let ch0 = ch;
            ch = self.next()?;
            if ch0 == '*' && ch == '/' {
                return Ok(());
            }
        }
    }

    fn scan_number(&mut self, first: char) -> Result<Kind, SyntaxError> {
        let mut ch = first;
        if ch == '0' {
            ch = self.next()?;
            if ch == 'x' || ch == 'X' {
                ch = self.next()?;
                let mut found = false;
                while ch.is_ascii_hexdigit() {
                    ch = self.next()?;
                    found = true;
                }
                if !found {
                    return self.err("expected hexadecimal digits after '0x'");
                }
                if ch != EOF {
                    self.unread();
                }
                return Ok(Kind::Number);
            }
            let mut illegal_octal = false;
            while ch.is_ascii_digit() {
                ch = self.next()?;
                if ch == '8' || ch == '9' {
                    illegal_octal = true;
                }
            }
            // 8 and 9 are fine in a float's integer part, as in Go.
            if illegal_octal && !matches!(ch, 'e' | 'E' | '.') {
                return self.err("expected octal digits after a leading '0', found '8' or '9'");
            }
            return self.scan_number_tail(ch);
        }
        self.scan_mantissa(ch)?;
        ch = self.next()?;
        self.scan_number_tail(ch)
    }

    /// After a number's digits: an exponent or a fraction makes it a float; otherwise the
    /// character after the digits is put back and it is an integer. Shared by both dialects.
    fn scan_number_tail(&mut self, mut ch: char) -> Result<Kind, SyntaxError> {
        if ch == 'e' || ch == 'E' {
            self.scan_exponent(ch)?;
            return Ok(Kind::Float);
        }
        if ch == '.' {
            ch = self.scan_fraction(ch)?;
            if ch == 'e' || ch == 'E' {
                ch = self.next()?;
                self.scan_exponent(ch)?;
            }
            return Ok(Kind::Float);
        }
        if ch != EOF {
            self.unread();
        }
        Ok(Kind::Number)
    }

    fn scan_mantissa(&mut self, first: char) -> Result<char, SyntaxError> {
        let mut ch = first;
        let mut scanned = false;
        while ch.is_ascii_digit() {
            ch = self.next()?;
            scanned = true;
        }
        if scanned && ch != EOF {
            self.unread();
        }
        Ok(ch)
    }

    fn scan_fraction(&mut self, ch: char) -> Result<char, SyntaxError> {
        if ch == '.' {
            let c = self.peek();
            return self.scan_mantissa(c);
        }
        Ok(ch)
    }

    fn scan_exponent(&mut self, first: char) -> Result<char, SyntaxError> {
        let mut ch = first;
        if ch == 'e' || ch == 'E' {
            ch = self.next()?;
            if ch == '-' || ch == '+' {
                ch = self.next()?;
            }
            ch = self.scan_mantissa(ch)?;
        }
        Ok(ch)
    }

    fn scan_heredoc(&mut self) -> Result<(), SyntaxError> {
        if self.next()? != '<' {
            return self.err("expected '<<' to start a heredoc, found a single '<'");
        }
        let offs = self.pos.offset;
        let mut ch = self.next()?;
        if ch == '-' {
            ch = self.next()?;
        }
        while is_letter(ch) || is_digit(ch) {
            ch = self.next()?;
        }
        if ch == EOF {
            return self.err("expected the heredoc text, found end of input");
        }
        if ch == '\r' && self.peek() == '\n' {
            ch = self.next()?;
        }
        if ch != '\n' {
            return self
                .err("expected a line break after the heredoc anchor, found another character");
        }
        let ident = &self.src[offs..self.pos.offset - self.last_char_len];
        if ident.is_empty() || ident == "-" {
            return self.err("expected a heredoc anchor after '<<', found none");
        }
        let anchor = ident.strip_prefix('-').unwrap_or(ident);
        let mut line_start = self.pos.offset;
        loop {
            let ch = self.next()?;
            if ch == '\n' {
                let line = &self.src[line_start..self.pos.offset - self.last_char_len];
                if line.len() >= ident.len() && heredoc_end_matches(line, anchor) {
                    return Ok(());
                }
                line_start = self.pos.offset;
            }
            if ch == EOF {
                return self.err(&format!(
                    "expected a line with the heredoc anchor {anchor:?} followed by a line \
                     break, found end of input"
                ));
            }
        }
    }

    fn scan_string(&mut self) -> Result<(), SyntaxError> {
        let mut braces = 0usize;
        loop {
            let ch = self.next()?;
            if (ch == '\n' && braces == 0) || ch == EOF {
                return self.err("expected '\"' to end the string, found the end of the line");
            }
            if ch == '"' && braces == 0 {
                return Ok(());
            }
            if braces == 0 && ch == '$' && self.peek() == '{' {
                braces += 1;
                self.next()?;
            } else if braces > 0 && ch == '{' {
                braces += 1;
            }
            if braces > 0 && ch == '}' {
                braces -= 1;
            }
            if ch == '\\' {
                self.scan_escape()?;
            }
        }
    }

    fn scan_escape(&mut self) -> Result<(), SyntaxError> {
        let ch = self.next()?;
        match ch {
            'a' | 'b' | 'f' | 'n' | 'r' | 't' | 'v' | '\\' | '"' => Ok(()),
            '0'..='7' => self.scan_digits(ch, 8, 3),
            'x' => {
                let c = self.next()?;
                self.scan_digits(c, 16, 2)
            }
            'u' => {
                let c = self.next()?;
                self.scan_digits(c, 16, 4)
            }
            'U' => {
                let c = self.next()?;
                self.scan_digits(c, 16, 8)
            }
            _ => self.err(&format!(
                "expected an escape (\\n, \\t, \\\", \\\\, \\x, \\u, …) after '\\', found {ch:?}"
            )),
        }
    }

    fn scan_digits(&mut self, first: char, base: u32, n: u32) -> Result<(), SyntaxError> {
        let mut ch = first;
        let mut left = n;
        while left > 0 && ch.to_digit(16).is_some_and(|d| d < base) {
            ch = self.next()?;
            if ch == EOF {
                break;
            }
            left -= 1;
        }
        if left > 0 {
            return self.err(&format!(
                "expected {n} digits in base {base} in the escape, found fewer"
            ));
        }
        if self.json && self.pos.offset == self.src.len() && ch == EOF {
            return self.err("expected '\"' to end the string, found end of input");
        }
        if ch != EOF || self.json {
            self.unread();
        }
        Ok(())
    }

    fn scan_identifier(&mut self) -> Result<(), SyntaxError> {
        let mut ch = self.next()?;
        while is_letter(ch) || is_digit(ch) || ch == '-' || ch == '.' {
            ch = self.next()?;
        }
        if ch != EOF {
            self.unread();
        }
        Ok(())
    }
}

impl Scanner<'_> {
    /// A token of the JSON dialect (github.com/hashicorp/hcl/json/scanner).
    fn scan_json(&mut self) -> Result<Token, SyntaxError> {
        let mut ch = self.next()?;
        while matches!(ch, ' ' | '\t' | '\n' | '\r') {
            ch = self.next()?;
        }
        let start = self.pos.offset - self.last_char_len;
        let pos = if self.pos.column > 0 {
            Pos::new(self.pos.line, self.pos.column)
        } else {
            Pos::new(self.pos.line.saturating_sub(1), self.last_line_len)
        };
        let illegal = |what: String| {
            Err(SyntaxError::new(
                pos,
                format!("expected a json value or punctuation, found {what}"),
            ))
        };
        let kind = if is_letter(ch) {
            let mut c = self.next()?;
            while is_letter(c) || is_digit(c) || c == '-' {
                c = self.next()?;
            }
            if c != EOF {
                self.unread();
            }
            match &self.src[start..self.pos.offset] {
                "true" | "false" => Kind::Bool,
                "null" => Kind::Null,
                word => return illegal(format!("the bare word {word}")),
            }
        } else if ch.is_ascii_digit() {
            self.scan_json_number(ch)?
        } else {
            match ch {
                EOF => Kind::Eof,
                '"' => {
                    self.scan_json_string()?;
                    Kind::JStr
                }
                '.' => {
                    if self.peek().is_ascii_digit() {
                        let c = self.scan_mantissa(self.peek())?;
                        self.scan_exponent(c)?;
                        Kind::Float
                    } else {
                        Kind::Period
                    }
                }
                '[' => Kind::LBrack,
                ']' => Kind::RBrack,
                '{' => Kind::LBrace,
                '}' => Kind::RBrace,
                ',' => Kind::Comma,
                ':' => Kind::Colon,
                '-' if self.peek().is_ascii_digit() => {
                    let c = self.next()?;
                    self.scan_json_number(c)?
                }
                _ => return illegal(format!("{ch:?}")),
            }
        };
        Ok(Token {
            kind,
            pos,
            start,
            end: self.pos.offset,
        })
    }

    fn scan_json_number(&mut self, first: char) -> Result<Kind, SyntaxError> {
        let zero = first == '0';
        let at = (self.pos.offset, self.eof_reads);
        self.scan_mantissa(first)?;
        let ch = self.next()?;
        if self.scan_number_tail(ch)? == Kind::Float {
            return Ok(Kind::Float);
        }
        if zero && at != (self.pos.offset, self.eof_reads) {
            return self.err("expected a number without leading zeros");
        }
        Ok(Kind::Number)
    }

    fn scan_json_string(&mut self) -> Result<(), SyntaxError> {
        loop {
            let ch = self.next()?;
            if ch == '\n' || ch == EOF {
                return self.err("expected '\"' to end the string, found the end of the line");
            }
            if ch == '"' {
                return Ok(());
            }
            if ch == '\\' {
                self.scan_escape()?;
            }
        }
    }
}

/// Go's `^[[:space:]]*ANCHOR\r*\z` on one heredoc line.
fn heredoc_end_matches(line: &str, anchor: &str) -> bool {
    let rest = line.trim_start_matches(['\t', '\n', '\u{b}', '\u{c}', '\r', ' ']);
    // The leading-space run may have eaten '\r's the anchor itself starts with; anchors are
    // letters and digits, so they never start with one.
    rest.strip_prefix(anchor)
        .is_some_and(|tail| tail.bytes().all(|b| b == b'\r'))
}

/// Whether `ch` is in one of the sorted, disjoint ranges of `table`.
fn in_table(table: &[(u32, u32)], ch: char) -> bool {
    let c = u32::from(ch);
    table
        .binary_search_by(|&(lo, hi)| {
            if hi < c {
                std::cmp::Ordering::Less
            } else if lo > c {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .is_ok()
}

/// The scanner's `isLetter`: ASCII letters, `_`, and Go's `unicode.IsLetter` beyond ASCII.
fn is_letter(ch: char) -> bool {
    ch.is_ascii_alphabetic() || ch == '_' || (!ch.is_ascii() && in_table(unicode::GO_LETTER, ch))
}

/// The scanner's `isDigit`: ASCII digits and Go's `unicode.IsDigit` beyond ASCII.
fn is_digit(ch: char) -> bool {
    ch.is_ascii_digit() || (!ch.is_ascii() && in_table(unicode::GO_DIGIT, ch))
}

/// Go's `unicode.IsSpace`, which decides whether a document is HCL1's JSON dialect.
fn is_go_space(ch: char) -> bool {
    matches!(ch, '\t' | '\n' | '\u{b}' | '\u{c}' | '\r' | ' ')
        || (!ch.is_ascii() && in_table(unicode::GO_SPACE, ch))
}

// ---------------------------------------------------------------------------------------------
// Parser: a port of github.com/hashicorp/hcl/hcl/parser, building a small syntax tree.

#[derive(Debug)]
enum Ast {
    Lit(Token),
    List { pos: Pos, items: Vec<Ast> },
    Object { pos: Pos, items: Vec<Item> },
}

#[derive(Debug)]
struct Item {
    keys: Vec<Token>,
    val: Ast,
}

/// How a parse step failed: `Fatal` errors (scanner errors, limits) always end the parse;
/// `Syntax` errors may be dropped by an enclosing object, exactly as the Go parser does.
enum PErr {
    Fatal(SyntaxError),
    Syntax(SyntaxError),
    Eof,
}

impl From<SyntaxError> for PErr {
    fn from(e: SyntaxError) -> Self {
        Self::Fatal(e)
    }
}

struct Parser<'a> {
    sc: Scanner<'a>,
    tok: Token,
    buffered: bool,
    max_depth: usize,
}

impl Parser<'_> {
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

    fn text(&self, t: &Token) -> &str {
        &self.sc.src[t.start..t.end]
    }

    fn deeper(&self, depth: usize, pos: Pos) -> Result<usize, PErr> {
        let d = depth + 1;
        if d > self.max_depth {
            return Err(PErr::Fatal(SyntaxError::over_limit(
                pos,
                format!(
                    "expected at most {} levels of nesting (the depth limit), found more",
                    self.max_depth
                ),
            )));
        }
        Ok(d)
    }

    fn object_list(&mut self, obj: bool, depth: usize) -> (Vec<Item>, Result<(), PErr>) {
        let mut items = Vec::new();
        loop {
            if obj {
                let tok = match self.scan() {
                    Ok(t) => t,
                    Err(e) => return (items, Err(e)),
                };
                self.unscan();
                if tok.kind == Kind::RBrace {
                    break;
                }
            }
            match self.object_item(depth) {
                Ok(item) => items.push(item),
                Err(PErr::Eof) => break,
                Err(e) => return (items, Err(e)),
            }
            match self.scan() {
                Ok(t) if t.kind == Kind::Comma => {}
                Ok(_) => self.unscan(),
                Err(e) => return (items, Err(e)),
            }
        }
        (items, Ok(()))
    }

    fn object_item(&mut self, depth: usize) -> Result<Item, PErr> {
        let (keys, mut res) = self.object_key();
        if !keys.is_empty() && matches!(res, Err(PErr::Eof)) {
            res = Ok(());
        }
        if !keys.is_empty() && matches!(res, Err(PErr::Syntax(_))) && self.tok.kind == Kind::RBrace
        {
            res = Ok(());
            self.tok.kind = Kind::Eof;
        }
        res?;
        // Labels nest like objects in the tree.
        let mut depth = depth;
        for k in keys.iter().skip(1) {
            depth = self.deeper(depth, k.pos)?;
        }
        let val = match self.tok.kind {
            Kind::Assign => self.object(depth)?,
            Kind::LBrace => self.object_type(depth)?,
            other => {
                let names: Vec<&str> = keys.iter().map(|k| self.text(k)).collect();
                return Err(PErr::Syntax(SyntaxError::new(
                    self.tok.pos,
                    format!(
                        "expected '=' or '{{' after the key {}, found {}",
                        names.join(" "),
                        other.describe()
                    ),
                )));
            }
        };
        self.scan()?;
        self.unscan();
        Ok(Item { keys, val })
    }

    fn object_key(&mut self) -> (Vec<Token>, Result<(), PErr>) {
        let mut keys = Vec::new();
        loop {
            let tok = match self.scan() {
                Ok(t) => t,
                Err(e) => return (keys, Err(e)),
            };
            match tok.kind {
                Kind::Eof => return (keys, Err(PErr::Eof)),
                Kind::Assign => {
                    if keys.len() > 1 {
                        return (
                            Vec::new(),
                            Err(PErr::Syntax(SyntaxError::new(
                                tok.pos,
                                "expected '{' after a key with labels, found '='",
                            ))),
                        );
                    }
                    if keys.is_empty() {
                        return (
                            keys,
                            Err(PErr::Syntax(SyntaxError::new(
                                tok.pos,
                                "expected a key before '=', found none",
                            ))),
                        );
                    }
                    return (keys, Ok(()));
                }
                Kind::LBrace => {
                    if keys.is_empty() {
                        return (
                            keys,
                            Err(PErr::Syntax(SyntaxError::new(
                                tok.pos,
                                "expected a key before '{', found none",
                            ))),
                        );
                    }
                    return (keys, Ok(()));
                }
                Kind::Ident | Kind::Str => keys.push(tok),
                other => {
                    let what = if keys.is_empty() {
                        "a key"
                    } else {
                        "a label, '=' or '{'"
                    };
                    return (
                        keys,
                        Err(PErr::Syntax(SyntaxError::new(
                            tok.pos,
                            format!("expected {what}, found {}", other.describe()),
                        ))),
                    );
                }
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<Ast, PErr> {
        let tok = self.scan()?;
        match tok.kind {
            Kind::Number | Kind::Float | Kind::Bool | Kind::Str | Kind::Heredoc => {
                Ok(Ast::Lit(tok))
            }
            Kind::LBrace => self.object_type(depth),
            Kind::LBrack => self.list_type(depth),
            Kind::Eof => Err(PErr::Eof),
            Kind::Ident => Err(PErr::Syntax(SyntaxError::new(
                tok.pos,
                format!(
                    "expected a value (string, number, bool, list or object), found the bare \
                     word {} (quote it: \"{}\")",
                    self.text(&tok),
                    self.text(&tok)
                ),
            ))),
            other => Err(PErr::Syntax(SyntaxError::new(
                tok.pos,
                format!(
                    "expected a value (string, number, bool, list or object), found {}",
                    other.describe()
                ),
            ))),
        }
    }

    fn object_type(&mut self, depth: usize) -> Result<Ast, PErr> {
        let pos = self.tok.pos;
        let depth = self.deeper(depth, pos)?;
        let (items, res) = self.object_list(true, depth);
        match res {
            Ok(()) | Err(PErr::Eof) => {}
            // The Go parser drops an error met on a closing brace, and the item it was in.
            Err(PErr::Syntax(_)) if self.tok.kind == Kind::RBrace => {}
            Err(e) => return Err(e),
        }
        let tok = self.scan()?;
        if tok.kind != Kind::RBrace {
            return Err(PErr::Syntax(SyntaxError::new(
                tok.pos,
                format!(
                    "expected '}}' to close the object opened at {pos}, found {}",
                    tok.kind.describe()
                ),
            )));
        }
        Ok(Ast::Object { pos, items })
    }

    fn list_type(&mut self, depth: usize) -> Result<Ast, PErr> {
        let pos = self.tok.pos;
        let depth = self.deeper(depth, pos)?;
        let mut items = Vec::new();
        let mut need_comma = false;
        loop {
            let tok = self.scan()?;
            if need_comma && !matches!(tok.kind, Kind::Comma | Kind::RBrack) {
                return Err(PErr::Syntax(SyntaxError::new(
                    tok.pos,
                    format!(
                        "expected ',' or ']' in the list opened at {pos}, found {}",
                        tok.kind.describe()
                    ),
                )));
            }
            match tok.kind {
                Kind::Bool | Kind::Number | Kind::Float | Kind::Str | Kind::Heredoc => {
                    items.push(Ast::Lit(tok));
                    need_comma = true;
                }
                Kind::Comma => {
                    self.scan()?;
                    self.unscan();
                    need_comma = false;
                }
                Kind::LBrace => {
                    items.push(self.object_type(depth)?);
                    need_comma = true;
                }
                Kind::LBrack => items.push(self.list_type(depth)?),
                Kind::RBrack => return Ok(Ast::List { pos, items }),
                Kind::Ident => {
                    return Err(PErr::Syntax(SyntaxError::new(
                        tok.pos,
                        format!(
                            "expected a list element or ']', found the bare word {} (quote it: \
                             \"{}\")",
                            self.text(&tok),
                            self.text(&tok)
                        ),
                    )));
                }
                other => {
                    return Err(PErr::Syntax(SyntaxError::new(
                        tok.pos,
                        format!("expected a list element or ']', found {}", other.describe()),
                    )));
                }
            }
        }
    }
}

impl Parser<'_> {
    /// The JSON dialect's `Parse`: one object; whatever follows it is never read.
    fn json_root(&mut self) -> Result<Vec<Item>, PErr> {
        let tok = self.scan()?;
        match tok.kind {
            Kind::LBrace => match self.json_object_type(0)? {
                Ast::Object { items, .. } => Ok(items),
                _ => Ok(Vec::new()),
            },
            Kind::Eof => Err(PErr::Eof),
            other => Err(PErr::Syntax(SyntaxError::new(
                tok.pos,
                format!("expected '{{', found {}", other.describe()),
            ))),
        }
    }

    fn json_object_list(&mut self, depth: usize) -> (Vec<Item>, Result<(), PErr>) {
        let mut items = Vec::new();
        loop {
            match self.json_object_item(depth) {
                Ok(item) => items.push(item),
                Err(PErr::Eof) => break,
                Err(e) => return (items, Err(e)),
            }
            // Anything but a comma ends the object, unchecked, as in Go.
            match self.scan() {
                Ok(t) if t.kind == Kind::Comma => {}
                Ok(_) => break,
                Err(e) => return (items, Err(e)),
            }
        }
        (items, Ok(()))
    }

    fn json_object_item(&mut self, depth: usize) -> Result<Item, PErr> {
        let mut keys = Vec::new();
        loop {
            let tok = self.scan()?;
            match tok.kind {
                Kind::Eof => return Err(PErr::Eof),
                Kind::JStr => keys.push(tok),
                Kind::Colon if !keys.is_empty() => break,
                other => {
                    return Err(PErr::Syntax(SyntaxError::new(
                        tok.pos,
                        format!("expected a string key, found {}", other.describe()),
                    )));
                }
            }
        }
        let mut depth = depth;
        for k in keys.iter().skip(1) {
            depth = self.deeper(depth, k.pos)?;
        }
        let tok = self.scan()?;
        let val = match tok.kind {
            Kind::Number | Kind::Float | Kind::Bool | Kind::Null | Kind::JStr => Ast::Lit(tok),
            Kind::LBrace => self.json_object_type(depth)?,
            Kind::LBrack => self.json_list_type(depth)?,
            Kind::Eof => return Err(PErr::Eof),
            other => {
                return Err(PErr::Syntax(SyntaxError::new(
                    tok.pos,
                    format!("expected a json value, found {}", other.describe()),
                )));
            }
        };
        Ok(Item { keys, val })
    }

    fn json_object_type(&mut self, depth: usize) -> Result<Ast, PErr> {
        let pos = self.tok.pos;
        let depth = self.deeper(depth, pos)?;
        let (items, res) = self.json_object_list(depth);
        match res {
            Ok(()) | Err(PErr::Eof) => {}
            Err(PErr::Syntax(_)) if self.tok.kind == Kind::RBrace => {}
            Err(e) => return Err(e),
        }
        Ok(Ast::Object { pos, items })
    }

    fn json_list_type(&mut self, depth: usize) -> Result<Ast, PErr> {
        let pos = self.tok.pos;
        let depth = self.deeper(depth, pos)?;
        let mut items = Vec::new();
        loop {
            let tok = self.scan()?;
            match tok.kind {
                Kind::Number | Kind::Float | Kind::JStr => items.push(Ast::Lit(tok)),
                // Go skips booleans and the '[' of nested lists in lists.
                Kind::Comma | Kind::Bool | Kind::LBrack => {}
                Kind::LBrace => items.push(self.json_object_type(depth)?),
                Kind::RBrack => return Ok(Ast::List { pos, items }),
                other => {
                    return Err(PErr::Syntax(SyntaxError::new(
                        tok.pos,
                        format!(
                            "expected a list element or ']' in the list opened at {pos}, found {}",
                            other.describe()
                        ),
                    )));
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Decoder: a port of hcl.Decode into map[string]interface{}.

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
        self.keys
            .first()
            .map_or_else(|| ast_pos(self.val), |k| k.pos)
    }
}

fn ast_pos(a: &Ast) -> Pos {
    match a {
        Ast::Lit(t) => t.pos,
        Ast::List { pos, .. } | Ast::Object { pos, .. } => *pos,
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
            Self::Ast(a) => ast_pos(a),
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
enum GoVal {
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    /// `[]interface{}`: from `[ … ]`.
    SliceAny(Vec<(Pos, GoVal)>),
    /// `[]map[string]interface{}`: from blocks and objects.
    SliceMap(Vec<(Pos, GoMap)>),
    Map(GoMap),
}

impl GoVal {
    fn describe(&self) -> &'static str {
        match self {
            Self::Bool(_) => "a bool",
            Self::Int(_) => "an integer",
            Self::Float(_) => "a float",
            Self::Str(_) => "a string",
            Self::SliceAny(_) => "a list",
            Self::SliceMap(_) => "a block",
            Self::Map(_) => "an object",
        }
    }
}

type GoMap = IndexMap<String, (Pos, Pos, GoVal)>;

fn into_value(v: GoVal) -> Value {
    match v {
        GoVal::Bool(b) => Value::Bool(b),
        GoVal::Int(i) => Value::Int(i),
        GoVal::Float(f) => Value::Float(f),
        GoVal::Str(s) => Value::String(s),
        GoVal::SliceAny(items) => Value::List(
            items
                .into_iter()
                .map(|(pos, v)| Node::new(pos, into_value(v)))
                .collect(),
        ),
        GoVal::SliceMap(items) => Value::List(
            items
                .into_iter()
                .map(|(pos, m)| Node::new(pos, into_value(GoVal::Map(m))))
                .collect(),
        ),
        GoVal::Map(m) => Value::Map(
            m.into_iter()
                .map(|(key, (key_pos, pos, v))| Entry {
                    key,
                    key_pos,
                    value: Node::new(pos, into_value(v)),
                })
                .collect(),
        ),
    }
}

struct Decoder<'a> {
    src: &'a str,
}

impl Decoder<'_> {
    fn text(&self, t: &Token) -> &str {
        &self.src[t.start..t.end]
    }

    /// `Token.Value().(string)` of a key.
    fn key_value(&self, t: &Token) -> Result<Cow<'_, str>, SyntaxError> {
        let text = self.text(t);
        match t.kind {
            Kind::Str | Kind::JStr => {
                let inner = &text[1..text.len() - 1];
                if !inner.contains(['\\', '"', '$', '\n']) {
                    // Nothing to unquote, in either dialect.
                    return Ok(Cow::Borrowed(inner));
                }
                let unquoted = if t.kind == Kind::Str {
                    unquote(text)
                } else {
                    go_unquote(text)
                };
                unquoted.map(Cow::Owned).ok_or_else(|| bad_string(t.pos))
            }
            Kind::Null => Ok(Cow::Borrowed("")),
            _ => Ok(Cow::Borrowed(text)),
        }
    }

    fn filter<'b>(
        &self,
        items: &[ItemRef<'b>],
        key: &str,
    ) -> Result<Vec<ItemRef<'b>>, SyntaxError> {
        let mut out = Vec::new();
        for item in items {
            let Some((first, rest)) = item.keys.split_first() else {
                continue;
            };
            let k = self.key_value(first)?;
            if k == key || equal_fold(&k, key) {
                out.push(ItemRef {
                    keys: rest,
                    val: item.val,
                });
            }
        }
        Ok(out)
    }

    fn decode_map(&self, node: &GNode<'_>, existing: Option<GoMap>) -> Result<GoMap, SyntaxError> {
        let owned;
        let items: &[ItemRef<'_>] = match node {
            GNode::Item(i) => std::slice::from_ref(i),
            GNode::Ast(Ast::Object { items, .. }) => {
                owned = items.iter().map(ItemRef::of).collect::<Vec<_>>();
                &owned
            }
            GNode::List(items) => items,
            GNode::Ast(a) => {
                return Err(SyntaxError::new(
                    ast_pos(a),
                    format!("expected an object, found {}", node.describe()),
                ));
            }
        };
        let mut map = existing.unwrap_or_default();
        let mut done: Vec<Cow<'_, str>> = Vec::new();
        for item in items {
            let Some(first) = item.keys.first() else {
                return Err(SyntaxError::new(
                    item.pos(),
                    "expected a labelled block, found a block or value without a label under \
                     the same key",
                ));
            };
            let key = self.key_value(first)?;
            if done.contains(&key) {
                continue;
            }
            let val = if item.keys.len() > 1 {
                done.push(key.clone());
                GNode::List(self.filter(items, &key)?)
            } else {
                GNode::Item(ItemRef {
                    keys: &[],
                    val: item.val,
                })
            };
            let val = match val {
                GNode::Item(i) => GNode::Ast(i.val),
                other => other,
            };
            let pos = val.pos();
            if let Some(slot) = map.get_mut(&*key) {
                let old = std::mem::replace(&mut slot.2, GoVal::Bool(false));
                let (first_pos, first_kind) = (slot.0, old.describe());
                slot.2 = self.decode_iface(&val, Some(old), false).map_err(|e| {
                    SyntaxError::new(
                        e.pos,
                        format!(
                            "{} (key {key:?} repeats, first as {first_kind} at {first_pos})",
                            e.message
                        ),
                    )
                })?;
                // A repeated scalar takes the last value: point at it, and at its key.
                if !matches!(
                    slot.2,
                    GoVal::SliceAny(_) | GoVal::SliceMap(_) | GoVal::Map(_)
                ) {
                    slot.0 = first.pos;
                    slot.1 = pos;
                }
            } else {
                let v = self.decode_iface(&val, None, false)?;
                map.insert(key.into_owned(), (first.pos, pos, v));
            }
        }
        Ok(map)
    }

    fn decode_iface(
        &self,
        node: &GNode<'_>,
        old: Option<GoVal>,
        in_slice: bool,
    ) -> Result<GoVal, SyntaxError> {
        match old {
            None => match node {
                GNode::List(_) | GNode::Ast(Ast::Object { .. }) => {
                    if in_slice {
                        Ok(GoVal::Map(self.decode_map(node, None)?))
                    } else {
                        Ok(GoVal::SliceMap(self.decode_slice_map(node, Vec::new())?))
                    }
                }
                GNode::Ast(Ast::List { .. }) => {
                    Ok(GoVal::SliceAny(self.decode_slice_any(node, Vec::new())?))
                }
                GNode::Ast(Ast::Lit(t)) => match t.kind {
                    Kind::Bool => self.decode_bool(node),
                    Kind::Float => self.decode_float(node),
                    Kind::Number => self.decode_int(node),
                    _ => self.decode_string(node),
                },
                GNode::Item(i) => Err(SyntaxError::new(
                    i.pos(),
                    "expected a value in the list, found a labelled block",
                )),
            },
            Some(GoVal::Bool(_)) => self.decode_bool(node),
            Some(GoVal::Int(_)) => self.decode_int(node),
            Some(GoVal::Float(_)) => self.decode_float(node),
            Some(GoVal::Str(_)) => self.decode_string(node),
            Some(GoVal::SliceAny(v)) => Ok(GoVal::SliceAny(self.decode_slice_any(node, v)?)),
            Some(GoVal::SliceMap(v)) => Ok(GoVal::SliceMap(self.decode_slice_map(node, v)?)),
            Some(GoVal::Map(m)) => Ok(GoVal::Map(self.decode_map(node, Some(m))?)),
        }
    }

    fn slice_items<'b>(node: &GNode<'b>, want: &str) -> Result<Vec<GNode<'b>>, SyntaxError> {
        match node {
            GNode::List(items) => Ok(items.iter().map(|i| GNode::Item(*i)).collect()),
            GNode::Ast(o @ Ast::Object { .. }) => Ok(vec![GNode::Ast(o)]),
            GNode::Ast(Ast::List { items, .. }) => Ok(items.iter().map(GNode::Ast).collect()),
            _ => Err(SyntaxError::new(
                node.pos(),
                format!("expected {want}, found {}", node.describe()),
            )),
        }
    }

    fn decode_slice_map(
        &self,
        node: &GNode<'_>,
        mut out: Vec<(Pos, GoMap)>,
    ) -> Result<Vec<(Pos, GoMap)>, SyntaxError> {
        for item in Self::slice_items(node, "a block, an object or a list of objects")? {
            let pos = item.pos();
            out.push((pos, self.decode_map(&item, None)?));
        }
        Ok(out)
    }

    fn decode_slice_any(
        &self,
        node: &GNode<'_>,
        mut out: Vec<(Pos, GoVal)>,
    ) -> Result<Vec<(Pos, GoVal)>, SyntaxError> {
        for item in Self::slice_items(node, "a list")? {
            let pos = item.pos();
            out.push((pos, self.decode_iface(&item, None, true)?));
        }
        Ok(out)
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

    fn decode_bool(&self, node: &GNode<'_>) -> Result<GoVal, SyntaxError> {
        match Self::literal(node) {
            Some(t) if t.kind == Kind::Bool => Ok(GoVal::Bool(self.text(t) == "true")),
            _ => Err(Self::mismatch(node, "a bool")),
        }
    }

    fn decode_float(&self, node: &GNode<'_>) -> Result<GoVal, SyntaxError> {
        match Self::literal(node) {
            Some(t) if matches!(t.kind, Kind::Float | Kind::Number) => go_parse_float(self.text(t))
                .map(GoVal::Float)
                .ok_or_else(|| {
                    SyntaxError::new(
                        t.pos,
                        format!("expected a finite decimal number, found {}", self.text(t)),
                    )
                }),
            _ => Err(Self::mismatch(node, "a number")),
        }
    }

    fn decode_int(&self, node: &GNode<'_>) -> Result<GoVal, SyntaxError> {
        let Some(t) = Self::literal(node) else {
            return Err(Self::mismatch(node, "an integer"));
        };
        let text: Cow<'_, str> = match t.kind {
            Kind::Number => Cow::Borrowed(self.text(t)),
            Kind::Str | Kind::JStr | Kind::Null => self.key_value(t)?,
            _ => return Err(Self::mismatch(node, "an integer")),
        };
        go_parse_int(&text).map(GoVal::Int).ok_or_else(|| {
            SyntaxError::new(
                t.pos,
                format!("expected an integer that fits in 64 bits, found {text}"),
            )
        })
    }

    fn decode_string(&self, node: &GNode<'_>) -> Result<GoVal, SyntaxError> {
        let Some(t) = Self::literal(node) else {
            return Err(Self::mismatch(node, "a string"));
        };
        match t.kind {
            Kind::Number => Ok(GoVal::Str(self.text(t).to_owned())),
            Kind::Str | Kind::JStr | Kind::Null => {
                self.key_value(t).map(|v| GoVal::Str(v.into_owned()))
            }
            Kind::Heredoc => Ok(GoVal::Str(unindent_heredoc(self.text(t)))),
            _ => Err(Self::mismatch(node, "a string")),
        }
    }
}

fn bad_string(pos: Pos) -> SyntaxError {
    SyntaxError::new(
        pos,
        "expected a valid quoted string, found an escape or line break that hcl1 cannot \
         unquote",
    )
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

/// Bytes to a string as Go's JSON encoder prints them: each byte that is not part of valid
/// UTF-8 becomes U+FFFD.
fn go_lossy(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    let mut rest = bytes;
    loop {
        match std::str::from_utf8(rest) {
            Ok(s) => {
                out.push_str(s);
                return out;
            }
            Err(e) => {
                let (good, bad) = rest.split_at(e.valid_up_to());
                out.push_str(std::str::from_utf8(good).unwrap_or_default());
                out.push('\u{FFFD}');
                rest = &bad[1..];
            }
        }
    }
}

/// `github.com/hashicorp/hcl/hcl/strconv.Unquote`: `None` where Go fails.
#[allow(clippy::many_single_char_names)] // kept close to the Go names
fn unquote(quoted: &str) -> Option<String> {
    let b = quoted.as_bytes();
    if b.len() < 2 || b[0] != b'"' || b[b.len() - 1] != b'"' {
        return None;
    }
    let s = &quoted[1..quoted.len() - 1];
    if !s.contains('$') && !s.contains('{') && s.contains('\n') {
        return None;
    }
    if !s.contains('\\') && !s.contains('"') && !s.contains('$') {
        return Some(s.to_owned());
    }
    let mut buf: Vec<u8> = Vec::with_capacity(s.len());
    let mut s = s.as_bytes();
    while !s.is_empty() {
        if s[0] == b'$' && s.len() > 1 && s[1] == b'{' {
            buf.extend_from_slice(b"${");
            s = &s[2..];
            let mut braces = 1usize;
            while !s.is_empty() && braces > 0 {
                // The source is UTF-8, so every character decodes; Go also rejects U+FFFD.
                let text = std::str::from_utf8(s).ok()?;
                let r = text.chars().next()?;
                if r == '\u{FFFD}' {
                    return None;
                }
                let n = r.len_utf8();
                buf.extend_from_slice(&s[..n]);
                s = &s[n..];
                match r {
                    '{' => braces += 1,
                    '}' => braces -= 1,
                    _ => {}
                }
            }
            if braces != 0 {
                return None;
            }
            continue;
        }
        if s[0] == b'\n' || s[0] == b'"' {
            return None;
        }
        if s[0] != b'\\' {
            let n = utf8_len(s[0]);
            buf.extend_from_slice(&s[..n.min(s.len())]);
            s = &s[n.min(s.len())..];
            continue;
        }
        if s.len() <= 1 {
            return None;
        }
        let c = s[1];
        s = &s[2..];
        escape(c, &mut s, &mut buf, hcl_rune)?;
    }
    Some(go_lossy(&buf))
}

/// A `\u`/`\U` value as HCL1's copy of Go's `UnquoteChar` writes it. Go computes in an
/// int32: eight hex digits from 8 up wrap to a negative rune, which passes the range check and
/// is then written as one byte (`byte(c)` for any rune below 0x80); surrogates become U+FFFD.
fn hcl_rune(v: u32, buf: &mut Vec<u8>) -> Option<()> {
    if v >= 0x8000_0000 {
        buf.push(v.to_le_bytes()[0]);
        return Some(());
    }
    if v > 0x10_FFFF {
        return None;
    }
    push_char(char::from_u32(v).unwrap_or('\u{FFFD}'), buf);
    Some(())
}

/// A `\u`/`\U` value as Go's `strconv.Unquote` writes it: surrogates and values beyond
/// U+10FFFF are refused.
fn json_rune(v: u32, buf: &mut Vec<u8>) -> Option<()> {
    push_char(char::from_u32(v)?, buf);
    Some(())
}

fn push_char(ch: char, buf: &mut Vec<u8>) {
    buf.extend_from_slice(ch.encode_utf8(&mut [0u8; 4]).as_bytes());
}

/// One escape: `esc` is the byte after the backslash and `rest` what follows it (advanced past
/// the escape's digits); `rune` writes a `\u`/`\U` value, where the two unquoting paths
/// differ. `None` where Go fails.
fn escape(
    esc: u8,
    rest: &mut &[u8],
    buf: &mut Vec<u8>,
    rune: fn(u32, &mut Vec<u8>) -> Option<()>,
) -> Option<()> {
    if let Some(b) = simple_escape(esc) {
        buf.push(b);
        return Some(());
    }
    match esc {
        b'x' | b'u' | b'U' => {
            let n = match esc {
                b'x' => 2,
                b'u' => 4,
                _ => 8,
            };
            let v = hex_value(rest.get(..n)?)?;
            *rest = rest.get(n..)?;
            if esc == b'x' {
                buf.push(u8::try_from(v).ok()?);
                Some(())
            } else {
                rune(v, buf)
            }
        }
        b'0'..=b'7' => {
            buf.push(octal_escape(esc, rest.get(..2)?)?);
            *rest = rest.get(2..)?;
            Some(())
        }
        _ => None,
    }
}

/// Go's `strconv.Unquote` for a double-quoted string (the JSON dialect's strings): `None`
/// where Go fails.
fn go_unquote(quoted: &str) -> Option<String> {
    let inner = quoted.strip_prefix('"')?.strip_suffix('"')?;
    if !inner.contains('\\') && !inner.contains('\n') && !inner.contains('"') {
        return Some(inner.to_owned());
    }
    let mut buf: Vec<u8> = Vec::with_capacity(inner.len());
    let mut rest = inner.as_bytes();
    while let Some(&c) = rest.first() {
        if c == b'\n' || c == b'"' {
            return None;
        }
        if c != b'\\' {
            let n = utf8_len(c).min(rest.len());
            buf.extend_from_slice(&rest[..n]);
            rest = &rest[n..];
            continue;
        }
        let esc = *rest.get(1)?;
        rest = &rest[2..];
        escape(esc, &mut rest, &mut buf, json_rune)?;
    }
    Some(go_lossy(&buf))
}

fn utf8_len(first: u8) -> usize {
    match first {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

/// `unindentHeredoc` from the Go token package, on the whole heredoc token text.
fn unindent_heredoc(heredoc: &str) -> String {
    let b = heredoc.as_bytes();
    let Some(idx) = heredoc.find('\n') else {
        return String::new();
    };
    let unindent = b.get(2) == Some(&b'-');
    let end = (b.len() + 1).saturating_sub(idx).min(b.len());
    if !unindent {
        return go_lossy(b.get(idx + 1..end).unwrap_or_default());
    }
    let end2 = (b.len() + 2).saturating_sub(idx).min(b.len());
    let body = b.get(idx + 1..end2).unwrap_or_default();
    let lines: Vec<&[u8]> = body.split(|&c| c == b'\n').collect();
    let prefix = lines.last().copied().unwrap_or_default();
    if !lines.iter().all(|l| l.starts_with(prefix)) {
        let s = b.get(idx + 1..end).unwrap_or_default();
        let trimmed_len = s
            .iter()
            .rposition(|&c| c != b' ' && c != b'\t')
            .map_or(0, |p| p + 1);
        return go_lossy(&s[..trimmed_len]);
    }
    let mut out: Vec<u8> = Vec::with_capacity(body.len());
    for (i, l) in lines.iter().enumerate() {
        if i > 0 {
            out.push(b'\n');
        }
        if i + 1 < lines.len() {
            out.extend_from_slice(&l[prefix.len()..]);
        }
    }
    go_lossy(&out)
}

/// Go's `strconv.ParseFloat(s, 64)` for the number texts the scanner makes: decimal only
/// (a hexadecimal mantissa needs a `p` exponent, which the scanner never produces), finite.
fn go_parse_float(s: &str) -> Option<f64> {
    let b = s.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'+' | b'-')) {
        i += 1;
    }
    let mut digits = 0;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
        digits += 1;
    }
    if i < b.len() && b[i] == b'.' {
        i += 1;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
            digits += 1;
        }
    }
    if digits == 0 {
        return None;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return None;
        }
    }
    if i != b.len() {
        return None;
    }
    s.parse::<f64>().ok().filter(|f| f.is_finite())
}

/// Go's `strconv.ParseInt(s, 0, 64)`: sign, `0x`/`0o`/`0b` prefixes, a leading `0` for
/// octal, underscores between digits.
fn go_parse_int(s: &str) -> Option<i64> {
    let (neg, rest) = match s.as_bytes().first()? {
        b'+' => (false, &s[1..]),
        b'-' => (true, &s[1..]),
        _ => (false, s),
    };
    let un = go_parse_uint_base0(rest)?;
    let cutoff = 1u64 << 63;
    if !neg && un >= cutoff {
        return None;
    }
    if neg && un > cutoff {
        return None;
    }
    if neg {
        Some(0i64.wrapping_sub_unsigned(un))
    } else {
        i64::try_from(un).ok()
    }
}

fn go_parse_uint_base0(s0: &str) -> Option<u64> {
    let b = s0.as_bytes();
    if b.is_empty() {
        return None;
    }
    let (base, digits): (u64, &[u8]) = if b[0] == b'0' {
        match b.get(1).map(u8::to_ascii_lowercase) {
            Some(b'b') if b.len() >= 3 => (2, &b[2..]),
            Some(b'o') if b.len() >= 3 => (8, &b[2..]),
            Some(b'x') if b.len() >= 3 => (16, &b[2..]),
            _ => (8, &b[1..]),
        }
    } else {
        (10, b)
    };
    let mut n: u64 = 0;
    let mut underscores = false;
    for &c in digits {
        let d = match c {
            b'_' => {
                underscores = true;
                continue;
            }
            b'0'..=b'9' => u64::from(c - b'0'),
            _ if c.is_ascii_alphabetic() => u64::from(c.to_ascii_lowercase() - b'a') + 10,
            _ => return None,
        };
        if d >= base {
            return None;
        }
        n = n.checked_mul(base)?.checked_add(d)?;
    }
    if underscores && !underscore_ok(s0) {
        return None;
    }
    Some(n)
}

/// Go's `underscoreOK`: underscores only between digits or after a base prefix.
fn underscore_ok(s: &str) -> bool {
    let b = s.as_bytes();
    let mut saw = b'^';
    let mut i = 0;
    let b = if matches!(b.first(), Some(b'+' | b'-')) {
        &b[1..]
    } else {
        b
    };
    let mut hex = false;
    if b.len() >= 2 && b[0] == b'0' && matches!(b[1].to_ascii_lowercase(), b'b' | b'o' | b'x') {
        i = 2;
        saw = b'0';
        hex = b[1].eq_ignore_ascii_case(&b'x');
    }
    while i < b.len() {
        let c = b[i];
        i += 1;
        if c.is_ascii_digit() || (hex && c.is_ascii_hexdigit()) {
            saw = b'0';
            continue;
        }
        if c == b'_' {
            if saw != b'0' {
                return false;
            }
            saw = b'_';
            continue;
        }
        if saw == b'_' {
            return false;
        }
        saw = b'!';
    }
    saw != b'_'
}

/// The value of the hex digits of a `\\x`, `\\u` or `\\U` escape; `None` for a non-digit.
fn hex_value(digits: &[u8]) -> Option<u32> {
    digits
        .iter()
        .try_fold(0u32, |v, &d| Some((v << 4) | char::from(d).to_digit(16)?))
}

/// The byte of a three-digit octal escape (`first` and the two digits after it); `None` for a
/// non-octal digit or a value over 255, as Go's `strconv.Unquote`.
fn octal_escape(first: u8, digits: &[u8]) -> Option<u8> {
    let mut v = u32::from(first - b'0');
    for &d in digits {
        if !(b'0'..=b'7').contains(&d) {
            return None;
        }
        v = (v << 3) | u32::from(d - b'0');
    }
    u8::try_from(v).ok()
}

/// The byte a one-character escape (`\n`, `\"`, …) stands for in Go's `strconv.Unquote`, which
/// both HCL1 dialects use.
fn simple_escape(c: u8) -> Option<u8> {
    Some(match c {
        b'a' => 7,
        b'b' => 8,
        b'f' => 12,
        b'n' => b'\n',
        b'r' => b'\r',
        b't' => b'\t',
        b'v' => 11,
        b'\\' => b'\\',
        b'"' => b'"',
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn show(r: &Result<Node, SyntaxError>) -> String {
        match r {
            Ok(n) => n.to_json().to_string(),
            Err(e) => format!("error {e}"),
        }
    }

    fn ok(src: &str) -> serde_json::Value {
        let r = parse(src, &Limits::default());
        assert!(r.is_ok(), "{src:?}: {}", show(&r));
        r.unwrap().to_json()
    }

    fn err(src: &str) -> SyntaxError {
        let r = parse(src, &Limits::default());
        assert!(r.is_err(), "{src:?} parsed: {}", show(&r));
        r.unwrap_err()
    }

    #[test]
    fn blocks_are_lists_of_one_map() {
        assert_eq!(ok("a { b = 1 }"), json!({"a": [{"b": 1}]}));
        assert_eq!(ok("a = { b = 1 }"), json!({"a": [{"b": 1}]}));
        assert_eq!(ok("a = [{ b = 1 }]"), json!({"a": [{"b": 1}]}));
        assert_eq!(ok("a {}"), json!({"a": [{}]}));
        assert_eq!(ok(""), json!({}));
    }

    #[test]
    fn labels_nest() {
        assert_eq!(
            ok(r#"service "web" { port = 80 }"#),
            json!({"service": [{"web": [{"port": 80}]}]})
        );
        assert_eq!(
            ok(r#"s "a" {x=1} s "b" {y=2}"#),
            json!({"s": [{"a": [{"x": 1}]}, {"b": [{"y": 2}]}]})
        );
        assert_eq!(ok(r#"a b "c" {}"#), json!({"a": [{"b": [{"c": [{}]}]}]}));
        err("a = 1\na \"x\" { b = 1 }");
    }

    #[test]
    fn repeats_merge_like_go() {
        assert_eq!(ok("t {} t { z = 1 }"), json!({"t": [{}, {"z": 1}]}));
        assert_eq!(ok("l = [1]\nl = [2]"), json!({"l": [1, 2]}));
        assert_eq!(ok("a = 1\na = 2"), json!({"a": 2}));
        assert_eq!(ok("a = \"x\"\na = 10"), json!({"a": "10"}));
        assert_eq!(ok("a = 1\na = \"0x10\""), json!({"a": 16}));
        err("a = 1\na = \"x\"");
        err("a = true\na = 1");
    }

    #[test]
    fn parser_quirks() {
        assert_eq!(ok("x { a = } }"), json!({"x": [{}]}));
        assert_eq!(ok("a = 1\nb ="), json!({"a": 1}));
        assert_eq!(ok("m = [[1] [2],,]"), json!({"m": [[1], [2]]}));
        assert_eq!(ok("a = 1, b = 2"), json!({"a": 1, "b": 2}));
    }

    #[test]
    fn values() {
        assert_eq!(
            ok("a = 0x10\nb = -3\nc = 1.5\nd = 1e3\ne = 010\nf = true"),
            json!({"a": 16, "b": -3, "c": 1.5, "d": 1000.0, "e": 8, "f": true})
        );
        assert_eq!(ok(r#"s = "a\tb\u00e9\x41""#), json!({"s": "a\tbéA"}));
        assert_eq!(ok(r#"s = "${var.x}""#), json!({"s": "${var.x}"}));
        assert_eq!(ok("s = <<EOF\nhello\nEOF\n"), json!({"s": "hello\n"}));
        assert_eq!(ok("s = <<-EOF\n  hi\n  EOF\n"), json!({"s": "hi\n"}));
        assert_eq!(ok("a-b.c = 1"), json!({"a-b.c": 1}));
        assert_eq!(
            ok("meta { \"version\" = \"1\" }"),
            json!({"meta": [{"version": "1"}]})
        );
    }

    #[test]
    fn errors_name_what_and_where() {
        let e = err("mode = local");
        assert_eq!(e.pos, Pos::new(1, 8));
        assert!(e.message.contains("bare word local"), "{}", e.message);
        let e = err("a {\n  b = 1\n");
        assert_eq!(e.pos.line, 3);
        assert!(e.message.starts_with("expected '}'"), "{}", e.message);
        let e = err("s = \"abc\n");
        assert_eq!(e.pos.line, 1);
        err("a = [1 2]");
        err("true = 1");
    }

    #[test]
    fn limits() {
        let deep = "a = ".to_owned() + &"[".repeat(100_000);
        let e = err(&deep);
        assert!(e.message.contains("nesting"), "{}", e.message);
        let deep = "a ".to_owned() + &"{ a ".repeat(100_000);
        assert!(err(&deep).message.contains("nesting"));
        let limits = Limits {
            max_bytes: 4,
            ..Limits::default()
        };
        assert!(
            parse("a = 12", &limits)
                .unwrap_err()
                .message
                .contains("bytes")
        );
    }

    #[test]
    fn go_numbers() {
        assert_eq!(go_parse_int("0x1F"), Some(31));
        assert_eq!(go_parse_int("-0x8000000000000000"), Some(i64::MIN));
        assert_eq!(go_parse_int("0x8000000000000000"), None);
        assert_eq!(go_parse_int("1_000"), Some(1000));
        assert_eq!(go_parse_int("1__0"), None);
        assert_eq!(go_parse_int("09"), None);
        assert_eq!(go_parse_float("1e400"), None);
        assert_eq!(go_parse_float(".5"), Some(0.5));
        assert_eq!(go_parse_float("0x10"), None);
    }
}
