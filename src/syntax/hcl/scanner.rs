//! The HCL scanner: a port of `github.com/hashicorp/hcl/hcl/scanner` (token rules,
//! comments, identifiers, numbers in decimal, octal and hex, strings with `${ … }` and
//! escapes, heredocs).

use crate::syntax::hcl::cursor::{Cursor, EOF};
use crate::syntax::hcl::token::{Kind, Token};
use crate::syntax::hcl::unicode::{is_digit, is_letter};
use crate::syntax::tree::{Pos, SyntaxError};

pub(super) struct Scanner<'a> {
    c: Cursor<'a>,
}

impl<'a> Scanner<'a> {
    pub(super) fn new(src: &'a str) -> Self {
        Self {
            c: Cursor::new(src, false),
        }
    }

    pub(super) fn src(&self) -> &'a str {
        self.c.src()
    }

    /// The next token, comments included.
    // Kept out of the parser's scan loop: inlined there it cost 3% more instructions per
    // document (callgrind, docs/performance.md).
    #[inline(never)]
    pub(super) fn scan(&mut self) -> Result<Token, SyntaxError> {
        let (ch, start, pos) = self.c.start_token()?;
        let kind = self.kind(ch, start, pos)?;
        Ok(self.c.token(kind, start, pos))
    }

    /// Reads the rest of the token that starts with `ch`.
    fn kind(&mut self, ch: char, start: usize, pos: Pos) -> Result<Kind, SyntaxError> {
        if is_letter(ch) {
            self.scan_identifier()?;
            return Ok(match self.c.text_from(start) {
                "true" | "false" => Kind::Bool,
                _ => Kind::Ident,
            });
        }
        if ch.is_ascii_digit() {
            return self.scan_number(ch);
        }
        match ch {
            EOF => Ok(Kind::Eof),
            '"' => self.scan_string().map(|()| Kind::Str),
            '#' | '/' => self.scan_comment(ch).map(|()| Kind::Comment),
            '.' => self.c.fraction_or_period(),
            '<' => self.scan_heredoc().map(|()| Kind::Heredoc),
            '=' => Ok(Kind::Assign),
            '+' => Ok(Kind::Add),
            '-' if self.c.peek().is_ascii_digit() => {
                let c = self.c.next()?;
                self.scan_number(c)
            }
            '-' => Ok(Kind::Sub),
            _ => Kind::bracket_or_comma(ch).ok_or_else(|| {
                SyntaxError::new(
                    pos,
                    format!("expected a key, value or punctuation, found {ch:?}"),
                )
            }),
        }
    }

    fn scan_comment(&mut self, first: char) -> Result<(), SyntaxError> {
        if first == '/' && self.c.peek() == '*' {
            return self.block_comment();
        }
        if first == '/' && self.c.peek() != '/' {
            return self
                .c
                .err("expected '/' or '*' after '/' to start a comment");
        }
        self.line_comment()
    }

    /// After `#` or `/`: the rest of the line, its line break left for the next token.
    fn line_comment(&mut self) -> Result<(), SyntaxError> {
        let mut ch = self.c.next()?;
        while ch != '\n' && ch != EOF {
            ch = self.c.next()?;
        }
        self.c.unread_unless_eof(ch);
        Ok(())
    }

    /// After `/` (before `*`): up to and with the first `*/`.
    fn block_comment(&mut self) -> Result<(), SyntaxError> {
        self.c.next()?;
        let mut ch = self.c.next()?;
        loop {
            if ch == EOF {
                return self
                    .c
                    .err("expected '*/' to end the comment, found end of input");
            }
            let prev = ch;
            ch = self.c.next()?;
            if prev == '*' && ch == '/' {
                return Ok(());
            }
        }
    }

    fn scan_number(&mut self, first: char) -> Result<Kind, SyntaxError> {
        if first != '0' {
            self.c.scan_mantissa(first)?;
            let ch = self.c.next()?;
            return self.c.scan_number_tail(ch);
        }
        let ch = self.c.next()?;
        if ch == 'x' || ch == 'X' {
            return self.scan_hex();
        }
        self.scan_octal(ch)
    }

    /// After `0x`: at least one hexadecimal digit.
    fn scan_hex(&mut self) -> Result<Kind, SyntaxError> {
        let mut ch = self.c.next()?;
        let mut found = false;
        while ch.is_ascii_hexdigit() {
            ch = self.c.next()?;
            found = true;
        }
        if !found {
            return self.c.err("expected hexadecimal digits after '0x'");
        }
        self.c.unread_unless_eof(ch);
        Ok(Kind::Number)
    }

    /// After a leading `0`: octal digits, unless a fraction or an exponent makes a float.
    fn scan_octal(&mut self, mut ch: char) -> Result<Kind, SyntaxError> {
        let mut illegal_octal = false;
        while ch.is_ascii_digit() {
            ch = self.c.next()?;
            if ch == '8' || ch == '9' {
                illegal_octal = true;
            }
        }
        // 8 and 9 are fine in a float's integer part, as in Go.
        if illegal_octal && !matches!(ch, 'e' | 'E' | '.') {
            return self
                .c
                .err("expected octal digits after a leading '0', found '8' or '9'");
        }
        self.c.scan_number_tail(ch)
    }

    fn scan_heredoc(&mut self) -> Result<(), SyntaxError> {
        if self.c.next()? != '<' {
            return self
                .c
                .err("expected '<<' to start a heredoc, found a single '<'");
        }
        let ident = self.heredoc_anchor()?;
        self.heredoc_body(ident)
    }

    /// After `<<`: the anchor (`-`, then letters and digits) and its line break; the anchor
    /// as written, `-` included.
    fn heredoc_anchor(&mut self) -> Result<&'a str, SyntaxError> {
        let offs = self.c.offset();
        let mut ch = self.c.next()?;
        if ch == '-' {
            ch = self.c.next()?;
        }
        while is_letter(ch) || is_digit(ch) {
            ch = self.c.next()?;
        }
        if ch == EOF {
            return self.c.err("expected the heredoc text, found end of input");
        }
        if ch == '\r' && self.c.peek() == '\n' {
            ch = self.c.next()?;
        }
        if ch != '\n' {
            return self
                .c
                .err("expected a line break after the heredoc anchor, found another character");
        }
        let ident = self.c.text_before_last(offs);
        if ident.is_empty() || ident == "-" {
            return self
                .c
                .err("expected a heredoc anchor after '<<', found none");
        }
        Ok(ident)
    }

    /// The heredoc's lines, up to and with one that holds the anchor (after any indentation)
    /// and ends with a line break.
    fn heredoc_body(&mut self, ident: &str) -> Result<(), SyntaxError> {
        let anchor = ident.strip_prefix('-').unwrap_or(ident);
        let mut line_start = self.c.offset();
        loop {
            let ch = self.c.next()?;
            if ch == '\n' {
                let line = self.c.text_before_last(line_start);
                if line.len() >= ident.len() && heredoc_end_matches(line, anchor) {
                    return Ok(());
                }
                line_start = self.c.offset();
            }
            if ch == EOF {
                return self.c.err(&format!(
                    "expected a line with the heredoc anchor {anchor:?} followed by a line \
                     break, found end of input"
                ));
            }
        }
    }

    /// After `"`: up to the closing quote; inside `${ … }`, quotes and line breaks are text.
    fn scan_string(&mut self) -> Result<(), SyntaxError> {
        let mut braces = 0usize;
        loop {
            let ch = self.c.next()?;
            if (ch == '\n' && braces == 0) || ch == EOF {
                return self
                    .c
                    .err("expected '\"' to end the string, found the end of the line");
            }
            if ch == '"' && braces == 0 {
                return Ok(());
            }
            if braces == 0 && ch == '$' && self.c.peek() == '{' {
                braces += 1;
                self.c.next()?;
            } else if braces > 0 && ch == '{' {
                braces += 1;
            }
            if braces > 0 && ch == '}' {
                braces -= 1;
            }
            if ch == '\\' {
                self.c.scan_escape()?;
            }
        }
    }

    fn scan_identifier(&mut self) -> Result<(), SyntaxError> {
        let mut ch = self.c.next()?;
        while is_letter(ch) || is_digit(ch) || ch == '-' || ch == '.' {
            ch = self.c.next()?;
        }
        self.c.unread_unless_eof(ch);
        Ok(())
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
