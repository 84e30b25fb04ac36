//! Input shown to people: control characters escaped, long values cut.
//!
//! Every text `Display` of this crate that can echo input (diagnostics, findings, warnings,
//! explanations, gateway decisions) writes the echoed parts through [`Escaped`], so that a
//! key, a name or a file name holding ESC, BEL or a newline cannot move the cursor, recolour,
//! retitle or forge lines of the terminal it is printed on: such characters are written as
//! `\u{1b}`, as Rust's `Debug` writes them. Values quoted in messages go through [`Quoted`],
//! which also cuts them to their first [`MAX_QUOTED`] characters and says how long they were.
//! JSON output needs neither: JSON escapes control characters itself.

use std::fmt::{self, Write};

/// The most characters of a value that a message quotes; a longer value is cut there and its
/// length in bytes given.
pub const MAX_QUOTED: usize = 64;

/// Whether `c` must not reach a terminal as it is: the C0 and C1 controls, DEL, and the
/// Unicode controls of bidirectional text (which reorder what a line shows).
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Text safe to print on a terminal: every character [`is_unsafe`] is written as a `\u{…}`
/// escape, everything else as it is. Width, fill and alignment (`{:<8}`) apply to the
/// escaped text.
///
/// ```
/// use meshroute::text::Escaped;
///
/// assert_eq!(Escaped("web\x1b[31m\n").to_string(), r"web\u{1b}[31m\u{a}");
/// assert_eq!(format!("{:<5}|", Escaped("é")), "é    |");
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Escaped<'a>(pub &'a str);

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if f.width().is_some() && self.0.chars().any(is_unsafe) {
            return f.pad(&escape(self.0));
        } else if f.width().is_some() {
            return f.pad(self.0);
        }
        write_escaped(f, self.0)
    }
}

/// `s` with every character [`is_unsafe`] escaped (what [`Escaped`] prints).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let _ = write_escaped(&mut out, s);
    out
}

fn write_escaped(out: &mut impl Write, s: &str) -> fmt::Result {
    let mut rest = s;
    while let Some(i) = rest.find(is_unsafe) {
        out.write_str(&rest[..i])?;
        let c = rest[i..].chars().next().unwrap_or_default();
        write!(out, "\\u{{{:x}}}", u32::from(c))?;
        rest = &rest[i + c.len_utf8()..];
    }
    out.write_str(rest)
}

/// Bytes safe to print on a terminal: UTF-8 as [`Escaped`] prints it, each byte that is not
/// UTF-8 as `\xff`.
///
/// ```
/// use meshroute::text::EscapedBytes;
///
/// assert_eq!(EscapedBytes(b"a\x07b\xffc").to_string(), r"a\u{7}b\xffc");
/// ```
#[derive(Clone, Copy, Debug)]
pub struct EscapedBytes<'a>(pub &'a [u8]);

impl fmt::Display for EscapedBytes<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for chunk in self.0.utf8_chunks() {
            write_escaped(f, chunk.valid())?;
            for b in chunk.invalid() {
                write!(f, "\\x{b:02x}")?;
            }
        }
        Ok(())
    }
}

/// A value quoted in a message: between double quotes, `"` and `\` escaped with a
/// backslash, `\n`, `\r` and `\t` as such and every other unsafe character as `\u{…}`; a
/// value longer than [`MAX_QUOTED`] characters is cut there, followed by `…` and its length.
///
/// ```
/// use meshroute::text::Quoted;
///
/// assert_eq!(Quoted("a\"b\x1b").to_string(), r#""a\"b\u{1b}""#);
/// let long = "k".repeat(100);
/// assert_eq!(Quoted(&long).to_string(), format!("\"{}…\" (100 bytes)", "k".repeat(64)));
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Quoted<'a>(pub &'a str);

impl fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (shown, cut) = cut(self.0);
        f.write_char('"')?;
        for c in shown.chars() {
            match c {
                '"' => f.write_str("\\\"")?,
                '\\' => f.write_str("\\\\")?,
                '\n' => f.write_str("\\n")?,
                '\r' => f.write_str("\\r")?,
                '\t' => f.write_str("\\t")?,
                c if is_unsafe(c) => write!(f, "\\u{{{:x}}}", u32::from(c))?,
                c => f.write_char(c)?,
            }
        }
        if cut {
            write!(f, "…\" ({} bytes)", self.0.len())
        } else {
            f.write_char('"')
        }
    }
}

/// A name in a key path or a line of a table, unquoted: [`Escaped`], and cut like
/// [`Quoted`] when longer than [`MAX_QUOTED`] characters (`kkk…(100 bytes)`).
///
/// ```
/// use meshroute::text::Elided;
///
/// assert_eq!(Elided("web").to_string(), "web");
/// let long = "k".repeat(100);
/// assert_eq!(Elided(&long).to_string(), format!("{}…(100 bytes)", "k".repeat(64)));
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Elided<'a>(pub &'a str);

impl fmt::Display for Elided<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (shown, cut) = cut(self.0);
        write_escaped(f, shown)?;
        if cut {
            write!(f, "…({} bytes)", self.0.len())?;
        }
        Ok(())
    }
}

/// `s` as stored in a message or key path: as it is, or, when longer than [`MAX_QUOTED`]
/// characters, cut there and followed by `…` and its length (`kkk…(100 bytes)`). Nothing is
/// escaped: that is for the `Display` that prints it.
pub(crate) fn elide(s: &str) -> std::borrow::Cow<'_, str> {
    match cut(s) {
        (shown, true) => format!("{shown}…({} bytes)", s.len()).into(),
        (_, false) => s.into(),
    }
}

/// The first [`MAX_QUOTED`] characters of `s`, and whether that is not all of it.
fn cut(s: &str) -> (&str, bool) {
    match s.char_indices().nth(MAX_QUOTED) {
        Some((i, _)) => (&s[..i], true),
        None => (s, false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_control_character_is_escaped() {
        for c in (0u32..0x20).chain(0x7f..0xa0).filter_map(char::from_u32) {
            let s = format!("a{c}b");
            let shown = Escaped(&s).to_string();
            assert!(!shown.contains(c), "{c:?}");
            assert_eq!(shown, format!("a\\u{{{:x}}}b", u32::from(c)));
            assert!(!Quoted(&s).to_string().contains(c));
            assert!(!Elided(&s).to_string().contains(c));
        }
        assert_eq!(Escaped("\u{202e}txt").to_string(), "\\u{202e}txt");
        assert_eq!(Escaped("plain é ✓").to_string(), "plain é ✓");
    }

    #[test]
    fn cut_counts_characters_not_bytes() {
        let s = "é".repeat(65);
        assert_eq!(
            Quoted(&s).to_string(),
            format!("\"{}…\" (130 bytes)", "é".repeat(64))
        );
        assert_eq!(
            Quoted(&"é".repeat(64)).to_string(),
            format!("\"{}\"", "é".repeat(64))
        );
    }
}
