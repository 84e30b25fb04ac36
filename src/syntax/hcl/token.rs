//! The tokens of both HCL1 dialects (a port of `github.com/hashicorp/hcl/hcl/token` and
//! `json/token`): their kinds, how messages name them, and the text a string or heredoc token
//! stands for (`Token.Value`).

use std::borrow::Cow;

use crate::syntax::hcl::strconv::{go_lossy, go_unquote, unquote};
use crate::syntax::tree::{Pos, SyntaxError};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
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
    /// How error messages name a token of this kind.
    pub(super) fn describe(self) -> &'static str {
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

    /// The one-character tokens both dialects share: brackets, braces and the comma.
    pub(super) fn bracket_or_comma(ch: char) -> Option<Self> {
        Some(match ch {
            '[' => Self::LBrack,
            ']' => Self::RBrack,
            '{' => Self::LBrace,
            '}' => Self::RBrace,
            ',' => Self::Comma,
            _ => return None,
        })
    }
}

/// A token: its kind, where it starts, and its byte range in the source (offsets of 32 bits:
/// a token is 20 bytes, not 32, and a document holds one or two a value; `hcl::parse` takes
/// no text of 4 GiB or more).
#[derive(Clone, Copy, Debug)]
pub(super) struct Token {
    pub(super) kind: Kind,
    pub(super) pos: Pos,
    pub(super) start: u32,
    pub(super) end: u32,
}

impl Token {
    /// The token before the first one is read.
    pub(super) const fn start() -> Self {
        Self {
            kind: Kind::Eof,
            pos: Pos::new(1, 1),
            start: 0,
            end: 0,
        }
    }

    /// The token's text as written in `src`.
    pub(super) fn text<'s>(&self, src: &'s str) -> &'s str {
        &src[self.start as usize..self.end as usize]
    }

    /// `Token.Value().(string)` of a key or a string value: a string unquoted (HCL1's own
    /// `Unquote` for HCL, Go's `strconv.Unquote` for the JSON dialect), `null` as `""`, any
    /// other token as written.
    pub(super) fn string_value<'s>(&self, src: &'s str) -> Result<Cow<'s, str>, SyntaxError> {
        let plain = self.plain_value(src);
        if !matches!(self.kind, Kind::Str | Kind::JStr) || !plain.contains(['\\', '"', '$', '\n']) {
            // Nothing to unquote, in either dialect.
            return Ok(Cow::Borrowed(plain));
        }
        let text = self.text(src);
        let unquoted = if self.kind == Kind::Str {
            unquote(text)
        } else {
            go_unquote(text)
        };
        unquoted.map(Cow::Owned).ok_or_else(|| bad_string(self.pos))
    }

    /// [`Token::string_value`] where it is borrowed (nothing to unquote), without looking for
    /// escapes again: a string between its quotes, `null` as `""`, any other token as
    /// written. (For a string with escapes it is the text as written, not the value.)
    pub(super) fn plain_value<'s>(&self, src: &'s str) -> &'s str {
        let (start, end) = self.plain_span();
        &src[start as usize..end as usize]
    }

    /// Where [`Token::plain_value`] is in the source (empty for `null`).
    pub(super) fn plain_span(&self) -> (u32, u32) {
        match self.kind {
            Kind::Str | Kind::JStr => (self.start + 1, self.end - 1),
            Kind::Null => (self.start, self.start),
            _ => (self.start, self.end),
        }
    }

    /// The text of a heredoc token (`unindentHeredoc`).
    pub(super) fn heredoc_value(&self, src: &str) -> String {
        unindent_heredoc(self.text(src))
    }
}

fn bad_string(pos: Pos) -> SyntaxError {
    SyntaxError::new(
        pos,
        "expected a valid quoted string, found an escape or line break that hcl1 cannot \
         unquote",
    )
}

/// `unindentHeredoc` from the Go token package, on the whole heredoc token text.
fn unindent_heredoc(heredoc: &str) -> String {
    let b = heredoc.as_bytes();
    let Some(idx) = heredoc.find('\n') else {
        return String::new();
    };
    // Go slices `heredoc[idx+1 : len(heredoc)-idx+1]`: the lines between the anchors.
    let end = (b.len() + 1).saturating_sub(idx).min(b.len());
    let body = b.get(idx + 1..end).unwrap_or_default();
    if b.get(2) != Some(&b'-') {
        return go_lossy(body);
    }
    // `<<-`: lines are unindented by the closing anchor's indentation, if all have it.
    let end = (b.len() + 2).saturating_sub(idx).min(b.len());
    let with_anchor = b.get(idx + 1..end).unwrap_or_default();
    let lines: Vec<&[u8]> = with_anchor.split(|&c| c == b'\n').collect();
    let prefix = lines.last().copied().unwrap_or_default();
    if !lines.iter().all(|l| l.starts_with(prefix)) {
        let kept = body
            .iter()
            .rposition(|&c| c != b' ' && c != b'\t')
            .map_or(0, |p| p + 1);
        return go_lossy(&body[..kept]);
    }
    go_lossy(&unindent_lines(&lines, prefix, with_anchor.len()))
}

/// Every line but the last (the closing anchor's, which becomes empty) without `prefix`,
/// joined by line breaks.
fn unindent_lines(lines: &[&[u8]], prefix: &[u8], capacity: usize) -> Vec<u8> {
    let mut out: Vec<u8> = Vec::with_capacity(capacity);
    for (i, l) in lines.iter().enumerate() {
        if i > 0 {
            out.push(b'\n');
        }
        if i + 1 < lines.len() {
            out.extend_from_slice(&l[prefix.len()..]);
        }
    }
    out
}
