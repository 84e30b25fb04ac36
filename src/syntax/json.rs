//! The JSON reader: JSON into the generic [`Node`] tree, with positions.
//!
//! Strict RFC 8259: no comments, no trailing commas, no leading `+` or zeros, control
//! characters must be escaped, `\u` escapes must pair surrogates. Any value may be at the top.
//! Repeated object keys are all kept, in order (the decoder decides what they mean). Numbers
//! without a fraction or exponent that fit in 64 bits become [`Value::Int`], larger ones
//! [`Value::BigInt`] (as written), every other number [`Value::Float`]; a number beyond the
//! range of `f64` is an error, as in `serde_json`.

use std::borrow::Cow;

use crate::syntax::gather::Gathered;
use crate::syntax::tree::{Entry, Limits, Node, Pos, SyntaxError, Value};

/// The deepest nesting this reader accepts whatever [`Limits::max_depth`] says: the reader
/// recurses once per level, and this bound keeps it well inside a 2 MiB thread stack even in
/// an unoptimized build.
pub const MAX_SUPPORTED_DEPTH: usize = 512;

/// Reads a JSON document into the generic tree, recording the line and column of every value
/// and key.
///
/// # Errors
///
/// A [`SyntaxError`] at the line and column of the first character that is not valid JSON,
/// naming what was expected there and what was found; also when the text is larger than
/// `limits.max_bytes` or nests arrays and objects deeper than `limits.max_depth` (or
/// [`MAX_SUPPORTED_DEPTH`]).
///
/// # Examples
///
/// ```
/// use meshroute::tree::{Limits, Pos, Value};
///
/// let node = meshroute::json::parse(r#"{"Mode": "local", "Port": 8443}"#, &Limits::default())?;
/// assert_eq!(node.to_json(), serde_json::json!({"Mode": "local", "Port": 8443}));
/// let Value::Map(entries) = &node.value else { unreachable!() };
/// assert_eq!(entries[1].value.pos, Pos::new(1, 27));
///
/// let err = meshroute::json::parse("{\"Mode\": \"local\",}", &Limits::default()).unwrap_err();
/// assert_eq!(err.to_string(), "1:18: expected a string key, found '}'");
/// # Ok::<(), meshroute::tree::SyntaxError>(())
/// ```
pub fn parse<'a>(src: &'a str, limits: &Limits) -> Result<Node<'a>, SyntaxError> {
    limits.check_len(src, "json")?;
    let mut p = Reader {
        lx: Lexer {
            src,
            b: src.as_bytes(),
            i: 0,
            line: 1,
            line_start: 0,
            cache_off: 0,
            cache_col: 1,
        },
        max_depth: limits.max_depth.min(MAX_SUPPORTED_DEPTH),
        limits: *limits,
        values: 0,
        nodes: Vec::new(),
        entries: Vec::new(),
    };
    p.lx.skip_ws();
    let node = p.value(0)?;
    p.lx.skip_ws();
    if p.lx.i < p.lx.b.len() {
        return Err(p.lx.error_here("expected the end of the document"));
    }
    Ok(node)
}

/// The offset of the first byte from `j` that may end a string's plain run (a quote, a
/// backslash or a control character), or one where fewer than 8 bytes are left: eight
/// bytes are tested at a time.
#[inline]
fn plain_run(b: &[u8], mut j: usize) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let zero_byte = |v: u64| v.wrapping_sub(ONES) & !v & HIGH;
    while let Some(chunk) = b.get(j..j + 8) {
        let mut word = [0; 8];
        word.copy_from_slice(chunk);
        let v = u64::from_le_bytes(word);
        // A byte under 0x20, a '"' or a '\\' (the lowest flagged byte is always one).
        let stop = (v.wrapping_sub(ONES * 0x20) & !v & HIGH)
            | zero_byte(v ^ (ONES * u64::from(b'"')))
            | zero_byte(v ^ (ONES * u64::from(b'\\')));
        if stop != 0 {
            return j + (stop.trailing_zeros() / 8) as usize;
        }
        j += 8;
    }
    j
}

/// The text and the reading position in it: whitespace, strings, numbers and literals, and
/// the line and column of any offset.
struct Lexer<'a> {
    src: &'a str,
    b: &'a [u8],
    i: usize,
    line: u32,
    line_start: usize,
    cache_off: usize,
    cache_col: u32,
}

/// The recursive-descent reader of values, arrays and objects over the [`Lexer`].
struct Reader<'a> {
    lx: Lexer<'a>,
    max_depth: usize,
    limits: Limits,
    /// Values read so far (at most [`Limits::max_values`]).
    values: usize,
    /// The elements of the arrays being read, innermost last: each array takes its own off
    /// the top when it closes, in one allocation of its exact size.
    nodes: Vec<Node<'a>>,
    /// The same for the entries of the objects being read.
    entries: Vec<Entry<'a>>,
}

fn count_chars(bytes: &[u8]) -> u32 {
    let n = bytes.iter().filter(|&&c| (c & 0xC0) != 0x80).count();
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl<'a> Lexer<'a> {
    /// The position of byte offset `at` on the current line (offsets only move forward).
    fn pos_at(&mut self, at: usize) -> Pos {
        if self.cache_off < self.line_start || self.cache_off > at {
            self.cache_off = self.line_start;
            self.cache_col = 1;
        }
        self.cache_col = self
            .cache_col
            .saturating_add(count_chars(&self.b[self.cache_off..at]));
        self.cache_off = at;
        Pos::new(self.line, self.cache_col)
    }

    fn pos(&mut self) -> Pos {
        self.pos_at(self.i)
    }

    fn found(&self, at: usize) -> String {
        match self.src.get(at..).and_then(|s| s.chars().next()) {
            None => "end of input".to_owned(),
            Some(c) if c.is_control() => format!("the control character U+{:04X}", u32::from(c)),
            Some(c) => format!("{c:?}"),
        }
    }

    fn error_at(&mut self, at: usize, expected: &str) -> SyntaxError {
        let found = self.found(at);
        SyntaxError::new(self.pos_at(at), format!("{expected}, found {found}"))
    }

    fn error_here(&mut self, expected: &str) -> SyntaxError {
        self.error_at(self.i, expected)
    }

    fn skip_ws(&mut self) {
        while let Some(&c) = self.b.get(self.i) {
            match c {
                b' ' | b'\t' | b'\r' => self.i += 1,
                b'\n' => {
                    self.i += 1;
                    self.line = self.line.saturating_add(1);
                    self.line_start = self.i;
                }
                _ => break,
            }
        }
    }

    fn literal(&mut self, word: &str, value: Value<'a>) -> Result<Value<'a>, SyntaxError> {
        let w = word.as_bytes();
        for (k, &c) in w.iter().enumerate() {
            if self.b.get(self.i + k) != Some(&c) {
                return Err(self.error_at(self.i + k, &format!("expected {word}")));
            }
        }
        self.i += w.len();
        Ok(value)
    }

    /// Moves past `c` if it is at the cursor.
    fn eat(&mut self, c: u8) -> bool {
        let found = self.b.get(self.i) == Some(&c);
        if found {
            self.i += 1;
        }
        found
    }

    /// A string starting at the opening quote, borrowed from the text when it has no escape.
    fn string(&mut self) -> Result<Cow<'a, str>, SyntaxError> {
        let start = self.i + 1;
        let mut j = start;
        // Fast path: no escape.
        loop {
            j = plain_run(self.b, j);
            match self.b.get(j) {
                Some(b'"') => {
                    self.i = j + 1;
                    return Ok(Cow::Borrowed(&self.src[start..j]));
                }
                Some(b'\\') => return self.string_with_escapes(start, j).map(Cow::Owned),
                Some(&c) if c >= 0x20 => j += 1,
                _ => return Err(self.error_at(j, "expected '\"' to end the string")),
            }
        }
    }

    /// The rest of a string from `start` whose first escape is at `j`: the text is copied in
    /// runs between escapes.
    fn string_with_escapes(&mut self, start: usize, mut j: usize) -> Result<String, SyntaxError> {
        let mut out = String::with_capacity(j - start + 8);
        let mut run = start;
        loop {
            match self.b.get(j) {
                Some(b'"') => {
                    out.push_str(&self.src[run..j]);
                    self.i = j + 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    out.push_str(&self.src[run..j]);
                    j = self.escape(j, &mut out)?;
                    run = j;
                }
                Some(&c) if c >= 0x20 => j += 1,
                _ => return Err(self.error_at(j, "expected '\"' to end the string")),
            }
        }
    }

    /// One escape at `at` (the backslash); returns the offset after it.
    fn escape(&mut self, at: usize, out: &mut String) -> Result<usize, SyntaxError> {
        let c = match self.b.get(at + 1) {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => return self.unicode_escape(at, out),
            _ => {
                return Err(self.error_at(
                    at + 1,
                    "expected an escape (\\\", \\\\, \\/, \\b, \\f, \\n, \\r, \\t or \\u) after '\\'",
                ));
            }
        };
        out.push(c);
        Ok(at + 2)
    }

    /// A `\u` escape at `at`, a surrogate pair read as one character; returns the offset
    /// after it.
    fn unicode_escape(&mut self, at: usize, out: &mut String) -> Result<usize, SyntaxError> {
        let hi = self.hex4(at + 2)?;
        if (0xDC00..0xE000).contains(&hi) {
            return Err(SyntaxError::new(
                self.pos_at(at),
                "expected a high surrogate before a low one, found a lone low surrogate escape",
            ));
        }
        if !(0xD800..0xDC00).contains(&hi) {
            out.push(char::from_u32(hi).unwrap_or('\u{FFFD}'));
            return Ok(at + 6);
        }
        let lo = self.low_surrogate(at)?;
        let code = 0x1_0000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
        out.push(char::from_u32(code).unwrap_or('\u{FFFD}'));
        Ok(at + 12)
    }

    /// The `\u` escape that must follow a high surrogate escaped at `at`.
    fn low_surrogate(&mut self, at: usize) -> Result<u32, SyntaxError> {
        let lo = if self.b.get(at + 6) == Some(&b'\\') && self.b.get(at + 7) == Some(&b'u') {
            self.hex4(at + 8)?
        } else {
            0
        };
        if !(0xDC00..0xE000).contains(&lo) {
            return Err(SyntaxError::new(
                self.pos_at(at),
                "expected a low surrogate escape after a high one, found a lone high surrogate",
            ));
        }
        Ok(lo)
    }

    fn hex4(&mut self, at: usize) -> Result<u32, SyntaxError> {
        let mut v = 0u32;
        for k in at..at + 4 {
            let d = self
                .b
                .get(k)
                .and_then(|&c| char::from(c).to_digit(16))
                .ok_or_else(|| self.error_at(k, "expected 4 hexadecimal digits after '\\u'"))?;
            v = (v << 4) | d;
        }
        Ok(v)
    }

    fn digits(&mut self) -> usize {
        let start = self.i;
        while self.b.get(self.i).is_some_and(u8::is_ascii_digit) {
            self.i += 1;
        }
        self.i - start
    }

    fn number(&mut self) -> Result<Value<'a>, SyntaxError> {
        let start = self.i;
        let integer = self.number_text()?;
        let text = &self.src[start..self.i];
        if integer && let Ok(i) = text.parse::<i64>() {
            return Ok(Value::Int(i));
        }
        match text.parse::<f64>() {
            Ok(f) if f.is_finite() && integer => Ok(Value::BigInt(text.into())),
            Ok(f) if f.is_finite() => Ok(Value::Float(f)),
            _ => Err(SyntaxError::new(
                self.pos_at(start),
                format!("expected a number within the range of a 64-bit float, found {text}"),
            )),
        }
    }

    /// Moves past a number (RFC 8259's grammar); whether it has neither a fraction nor an
    /// exponent.
    fn number_text(&mut self) -> Result<bool, SyntaxError> {
        self.eat(b'-');
        match self.b.get(self.i) {
            Some(b'0') => self.i += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(self.error_here("expected a digit")),
        }
        let fraction = self.eat(b'.');
        if fraction && self.digits() == 0 {
            return Err(self.error_here("expected a digit after '.'"));
        }
        let exponent = self.eat(b'e') || self.eat(b'E');
        if exponent {
            if !self.eat(b'+') {
                self.eat(b'-');
            }
            if self.digits() == 0 {
                return Err(self.error_here("expected a digit in the exponent"));
            }
        }
        Ok(!fraction && !exponent)
    }
}

impl<'a> Reader<'a> {
    fn value(&mut self, depth: usize) -> Result<Node<'a>, SyntaxError> {
        let pos = self.lx.pos();
        self.values += 1;
        if self.values > self.limits.max_values() {
            return Err(self.limits.too_many_values(pos));
        }
        let value = match self.lx.b.get(self.lx.i) {
            Some(b'{') => self.object(depth, pos)?,
            Some(b'[') => self.array(depth, pos)?,
            Some(b'"') => Value::String(self.lx.string()?),
            Some(b'-' | b'0'..=b'9') => self.lx.number()?,
            Some(b't') => self.lx.literal("true", Value::Bool(true))?,
            Some(b'f') => self.lx.literal("false", Value::Bool(false))?,
            Some(b'n') => self.lx.literal("null", Value::Null)?,
            _ => {
                return Err(self.lx.error_here(
                    "expected a value (object, array, string, number, true, false or null)",
                ));
            }
        };
        Ok(Node::new(pos, value))
    }

    fn deeper(&mut self, depth: usize) -> Result<usize, SyntaxError> {
        if depth >= self.max_depth {
            return Err(SyntaxError::too_deep(self.lx.pos(), self.max_depth));
        }
        Ok(depth + 1)
    }

    fn object(&mut self, depth: usize, open: Pos) -> Result<Value<'a>, SyntaxError> {
        let depth = self.open(depth)?;
        let mut items = Gathered::at(&self.entries);
        let mut first = true;
        while !(first && self.lx.eat(b'}')) {
            let e = self.entry(depth, first)?;
            items.push(&mut self.entries, e);
            first = false;
            if self.closed(b'}', "object", open)? {
                break;
            }
        }
        Ok(Value::Map(items.take(&mut self.entries)))
    }

    fn array(&mut self, depth: usize, open: Pos) -> Result<Value<'a>, SyntaxError> {
        let depth = self.open(depth)?;
        let mut items = Gathered::at(&self.nodes);
        let mut first = true;
        while !(first && self.lx.eat(b']')) {
            let n = self.value(depth)?;
            items.push(&mut self.nodes, n);
            first = false;
            if self.closed(b']', "array", open)? {
                break;
            }
        }
        Ok(Value::List(items.take(&mut self.nodes)))
    }

    /// Moves past the bracket at the cursor, one level deeper.
    fn open(&mut self, depth: usize) -> Result<usize, SyntaxError> {
        let depth = self.deeper(depth)?;
        self.lx.i += 1;
        self.lx.skip_ws();
        Ok(depth)
    }

    /// After an element: whether the `close` bracket ends the array or object (else a comma
    /// goes on to the next element).
    fn closed(&mut self, close: u8, what: &str, open: Pos) -> Result<bool, SyntaxError> {
        self.lx.skip_ws();
        if self.lx.eat(b',') {
            self.lx.skip_ws();
            Ok(false)
        } else if self.lx.eat(close) {
            Ok(true)
        } else {
            let close = char::from(close);
            let expected = format!("expected ',' or '{close}' in the {what} opened at {open}");
            Err(self.lx.error_here(&expected))
        }
    }

    /// One `"key": value` of an object (the `first` one may also be a `}`).
    fn entry(&mut self, depth: usize, first: bool) -> Result<Entry<'a>, SyntaxError> {
        if self.lx.b.get(self.lx.i) != Some(&b'"') {
            let what = if first {
                "expected a string key or '}'"
            } else {
                "expected a string key"
            };
            return Err(self.lx.error_here(what));
        }
        let key_pos = self.lx.pos();
        let key = self.lx.string()?;
        self.lx.skip_ws();
        if !self.lx.eat(b':') {
            return Err(self.lx.error_here("expected ':' after the key"));
        }
        self.lx.skip_ws();
        let value = self.value(depth)?;
        Ok(Entry {
            key,
            key_pos,
            value,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ok(src: &str) -> Node<'_> {
        match parse(src, &Limits::default()) {
            Ok(n) => n,
            Err(e) => panic!("{src:?}: {e}"),
        }
    }

    fn err(src: &str) -> SyntaxError {
        let r = parse(src, &Limits::default());
        assert!(r.is_err(), "{src:?} parsed as {:?}", r.map(|n| n.to_json()));
        r.unwrap_err()
    }

    #[test]
    fn values_and_numbers() {
        assert_eq!(
            ok(r#"{"a": [1, -2, 1.5, 1e3, true, false, null, "x"], "b": {}}"#).to_json(),
            json!({"a": [1, -2, 1.5, 1000.0, true, false, null, "x"], "b": {}})
        );
        assert_eq!(ok("9223372036854775807").value, Value::Int(i64::MAX));
        assert_eq!(ok("-9223372036854775808").value, Value::Int(i64::MIN));
        // Beyond i64 an integer is kept as written (it was the float 9.223372036854776e18,
        // echoed rounded, before issue 14), and reads as that float in JSON.
        assert_eq!(
            ok("9223372036854775808").value,
            Value::BigInt("9223372036854775808".into())
        );
        assert_eq!(
            ok("9223372036854775808").to_json(),
            json!(9_223_372_036_854_775_808_u64)
        );
        assert_eq!(
            ok("-9223372036854775809").to_json(),
            json!(-9.223_372_036_854_776e18)
        );
        assert_eq!(ok("1.0").value, Value::Float(1.0));
        assert!(err("1e400").message.contains("range"));
    }

    #[test]
    fn a_plain_run_stops_at_the_first_quote_backslash_or_control_character() {
        // Every stop byte at every offset of a long run, after plain ASCII and UTF-8 bytes.
        for stop in [b'"', b'\\', 0x00, 0x1f] {
            for at in 0..24 {
                let mut text: Vec<u8> = "é-~ab".bytes().cycle().take(at).collect();
                text.push(stop);
                text.extend(b" \"\\\n rest of the text");
                assert_eq!(super::plain_run(&text, 0), at, "{stop:#x} at {at}");
            }
        }
        // Fewer than 8 bytes left: the bytes are left to the caller.
        assert_eq!(super::plain_run(b"abcdefghij", 0), 8);
    }

    #[test]
    fn strings_and_escapes() {
        assert_eq!(
            ok(r#""a\"b\\c\/d\b\f\n\r\t\u00e9\ud83d\ude00""#).value,
            Value::String("a\"b\\c/d\u{8}\u{c}\n\r\té😀".into())
        );
        assert!(err(r#""\ud83d""#).message.contains("lone high surrogate"));
        assert!(err(r#""\ude00""#).message.contains("lone low surrogate"));
        assert!(
            err(r#""\ud83d\u0041""#)
                .message
                .contains("lone high surrogate")
        );
        assert!(err("\"a\tb\"").message.contains("control character"));
        assert!(err(r#""\x41""#).message.starts_with("expected an escape"));
    }

    #[test]
    fn duplicate_keys_are_kept_in_order() {
        let Value::Map(e) = ok(r#"{"a": 1, "b": 2, "a": 3}"#).value else {
            panic!()
        };
        let keys: Vec<&str> = e.iter().map(|e| e.key.as_ref()).collect();
        assert_eq!(keys, ["a", "b", "a"]);
    }

    #[test]
    fn a_tree_serializes_as_its_json_value() {
        let src = r#"{"b": 1, "a": [1.5, -2, 18446744073709551616, null, "x\n"], "b": {"c": true}, "é": {}}"#;
        let node = ok(src);
        assert_eq!(serde_json::to_value(&node).unwrap(), node.to_json());
        let text = serde_json::to_string(&node).unwrap();
        assert_eq!(text, node.to_json().to_string());
        assert!(text.starts_with(r#"{"b":{"c":true},"a":[1.5,-2,1.8446744073709552e"#));
        // A long map with a key written twice, and one without.
        let keys: Vec<String> = (0..40).map(|i| format!("\"k{}\": {i}", i % 39)).collect();
        let src = format!("{{{}}}", keys.join(", "));
        let node = ok(&src);
        assert_eq!(serde_json::to_value(&node).unwrap(), node.to_json());
        assert_eq!(node.to_json()["k0"], 39);
        let src = format!("{{{}}}", keys[..39].join(", "));
        let node = ok(&src);
        assert_eq!(
            serde_json::to_string(&node).unwrap(),
            node.to_json().to_string()
        );
    }

    #[test]
    fn positions() {
        let n = ok("{\n  \"é\": [1,\n   \"x\"]\n}");
        assert_eq!(n.pos, Pos::new(1, 1));
        let Value::Map(e) = &n.value else { panic!() };
        assert_eq!(e[0].key_pos, Pos::new(2, 3));
        assert_eq!(e[0].value.pos, Pos::new(2, 8));
        let Value::List(items) = &e[0].value.value else {
            panic!()
        };
        assert_eq!(items[0].pos, Pos::new(2, 9));
        assert_eq!(items[1].pos, Pos::new(3, 4));
    }

    #[test]
    fn errors() {
        let cases = [
            (
                "",
                "1:1: expected a value (object, array, string, number, true, false or null), found end of input",
            ),
            (
                "[1,]",
                "1:4: expected a value (object, array, string, number, true, false or null), found ']'",
            ),
            ("{\"a\" 1}", "1:6: expected ':' after the key, found '1'"),
            (
                "[1 2]",
                "1:4: expected ',' or ']' in the array opened at 1:1, found '2'",
            ),
            (
                "{\"a\":1\n\"b\":2}",
                "2:1: expected ',' or '}' in the object opened at 1:1, found '\"'",
            ),
            (
                "// c\n1",
                "1:1: expected a value (object, array, string, number, true, false or null), found '/'",
            ),
            ("01", "1:2: expected the end of the document, found '1'"),
            ("-", "1:2: expected a digit, found end of input"),
            ("1.", "1:3: expected a digit after '.', found end of input"),
            ("tru", "1:4: expected true, found end of input"),
            ("nul1", "1:4: expected null, found '1'"),
            (
                "\"abc",
                "1:5: expected '\"' to end the string, found end of input",
            ),
            ("{} x", "1:4: expected the end of the document, found 'x'"),
        ];
        for (src, want) in cases {
            assert_eq!(err(src).to_string(), want, "{src:?}");
        }
    }

    #[test]
    fn limits() {
        let deep = "[".repeat(100_000);
        assert!(err(&deep).message.contains("levels of nesting"));
        let mut l = Limits {
            max_depth: 2,
            ..Limits::default()
        };
        assert!(parse("[[1]]", &l).is_ok());
        assert_eq!(
            parse("[[[1]]]", &l).unwrap_err().to_string(),
            "1:3: expected at most 2 levels of nesting (the depth limit), found more"
        );
        l.max_bytes = 3;
        assert!(parse("[10]", &l).unwrap_err().message.contains("bytes"));
    }

    #[test]
    fn a_document_holds_at_most_one_value_for_every_eight_bytes_of_the_limit() {
        let l = Limits::default().with_max_bytes(1 << 20);
        assert_eq!(l.max_values(), 131_072);
        let list = |n: usize| format!("[{}]", vec!["0"; n].join(","));
        assert!(
            parse(&list(131_071), &l).is_ok(),
            "the list and its numbers"
        );
        let e = parse(&list(131_072), &l).unwrap_err();
        assert!(e.over_limit);
        assert_eq!(
            e.to_string(),
            "1:262144: expected at most 131072 values in a document (the value limit: one for every 8 bytes of the size limit), found more"
        );
    }
}
