//! The character reader under both HCL1 scanners, with Go's exact line and column
//! bookkeeping (`next`, `unread`, `peek`), and the pieces of token grammar the two dialects
//! share: number tails and string escapes.

use crate::syntax::hcl::token::{Kind, Token};
use crate::syntax::tree::{Pos, SyntaxError};

/// The end-of-input marker rune, as in the Go scanner (a NUL character also reads as it).
pub(super) const EOF: char = '\0';

#[derive(Clone, Copy)]
struct SrcPos {
    offset: usize,
    line: u32,
    column: u32,
}

pub(super) struct Cursor<'a> {
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

impl<'a> Cursor<'a> {
    /// A reader at the start of `src`, for the JSON dialect's scanner when `json`.
    pub(super) fn new(src: &'a str, json: bool) -> Self {
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
            json,
            eof_reads: 0,
        }
    }

    pub(super) fn src(&self) -> &'a str {
        self.src
    }

    /// An error at the scanner's recent position.
    pub(super) fn err<T>(&self, msg: &str) -> Result<T, SyntaxError> {
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

    /// The next character ([`EOF`] at the end); the HCL scanner refuses NUL and U+E123.
    pub(super) fn next(&mut self) -> Result<char, SyntaxError> {
        let Some(ch) = self.char_here() else {
            return Ok(self.read_past_end());
        };
        self.advance(ch);
        // The JSON scanner reads a NUL character as the end of input.
        if self.json || (ch != '\0' && ch != '\u{E123}') {
            return Ok(ch);
        }
        if ch == '\0' {
            return self.err("expected text, found a null character (0x00)");
        }
        self.err("expected text, found U+E123, reserved for internal use")
    }

    fn char_here(&self) -> Option<char> {
        match self.src.as_bytes().get(self.pos.offset) {
            Some(&b) if b.is_ascii() => Some(char::from(b)),
            Some(_) => self.src[self.pos.offset..].chars().next(),
            None => None,
        }
    }

    fn read_past_end(&mut self) -> char {
        // Go moves the column on at each read past the end; staying put keeps the
        // position of "end of input" errors on the character after the last one.
        if self.pos.column == 0 {
            self.pos.column = 1;
            self.pos.line = self.pos.line.max(1);
        }
        self.last_char_len = 0;
        self.eof_reads = self.eof_reads.saturating_add(1);
        EOF
    }

    fn advance(&mut self, ch: char) {
        self.prev = self.pos;
        self.pos.column = self.pos.column.saturating_add(1);
        self.last_char_len = ch.len_utf8();
        self.pos.offset += ch.len_utf8();
        if ch == '\n' {
            self.pos.line = self.pos.line.saturating_add(1);
            self.last_line_len = self.pos.column;
            self.pos.column = 0;
        }
    }

    pub(super) fn unread(&mut self) {
        self.pos = self.prev;
    }

    /// Puts `ch` back unless it is the end of input.
    pub(super) fn unread_unless_eof(&mut self, ch: char) {
        if ch != EOF {
            self.unread();
        }
    }

    pub(super) fn peek(&self) -> char {
        self.src[self.pos.offset..].chars().next().unwrap_or(EOF)
    }

    /// The byte offset of the next character.
    pub(super) fn offset(&self) -> usize {
        self.pos.offset
    }

    /// Where the reader stands, to tell whether anything was read since.
    pub(super) fn mark(&self) -> (usize, u32) {
        (self.pos.offset, self.eof_reads)
    }

    /// The source from `start` up to the next character.
    pub(super) fn text_from(&self, start: usize) -> &'a str {
        &self.src[start..self.pos.offset]
    }

    /// The source from `start` up to the last character read, which it leaves out.
    pub(super) fn text_before_last(&self, start: usize) -> &'a str {
        &self.src[start..self.pos.offset - self.last_char_len]
    }

    /// Starts a token: the first character after spaces, tabs and line breaks, with its
    /// offset and position.
    pub(super) fn start_token(&mut self) -> Result<(char, usize, Pos), SyntaxError> {
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
        Ok((ch, start, pos))
    }

    /// The token from `start` up to the next character.
    pub(super) fn token(&self, kind: Kind, start: usize, pos: Pos) -> Token {
        // `hcl::parse` takes no text of 4 GiB or more: every offset fits.
        let offset = |o: usize| u32::try_from(o).unwrap_or(u32::MAX);
        Token {
            kind,
            pos,
            start: offset(start),
            end: offset(self.pos.offset),
        }
    }

    /// After a `.`: a float when a digit follows (`.5`), else the period itself.
    pub(super) fn fraction_or_period(&mut self) -> Result<Kind, SyntaxError> {
        if !self.peek().is_ascii_digit() {
            return Ok(Kind::Period);
        }
        let c = self.scan_mantissa(self.peek())?;
        self.scan_exponent(c)?;
        Ok(Kind::Float)
    }

    /// After a number's digits: an exponent or a fraction makes it a float; otherwise the
    /// character after the digits is put back and it is an integer. Shared by both dialects.
    pub(super) fn scan_number_tail(&mut self, mut ch: char) -> Result<Kind, SyntaxError> {
        if ch == 'e' || ch == 'E' {
            self.scan_exponent(ch)?;
            return Ok(Kind::Float);
        }
        if ch == '.' {
            ch = self.scan_mantissa(self.peek())?;
            if ch == 'e' || ch == 'E' {
                ch = self.next()?;
                self.scan_exponent(ch)?;
            }
            return Ok(Kind::Float);
        }
        self.unread_unless_eof(ch);
        Ok(Kind::Number)
    }

    pub(super) fn scan_mantissa(&mut self, first: char) -> Result<char, SyntaxError> {
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

    /// The escape after a `\` in a string, checked as Go's scanner checks it.
    pub(super) fn scan_escape(&mut self) -> Result<(), SyntaxError> {
        let ch = self.next()?;
        let (base, digits) = match ch {
            'a' | 'b' | 'f' | 'n' | 'r' | 't' | 'v' | '\\' | '"' => return Ok(()),
            '0'..='7' => return self.scan_digits(ch, 8, 3),
            'x' => (16, 2),
            'u' => (16, 4),
            'U' => (16, 8),
            _ => {
                return self.err(&format!(
                    "expected an escape (\\n, \\t, \\\", \\\\, \\x, \\u, …) after '\\', found {ch:?}"
                ));
            }
        };
        let c = self.next()?;
        self.scan_digits(c, base, digits)
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
}
