//! Go's `strconv` as HCL1 uses it: unquoting (HCL1's own copy of `Unquote` for HCL strings,
//! Go's `strconv.Unquote` for the JSON dialect's), `ParseInt(s, 0, 64)` and `ParseFloat(s, 64)`,
//! and the bytes-to-text conversion Go's JSON encoder applies. `None` wherever Go fails; the
//! callers say what was wrong and where.

/// `github.com/hashicorp/hcl/hcl/strconv.Unquote`: `None` where Go fails.
pub(super) fn unquote(quoted: &str) -> Option<String> {
    let s = quoted.strip_prefix('"')?.strip_suffix('"')?;
    if !s.contains('$') && !s.contains('{') && s.contains('\n') {
        return None;
    }
    if !s.contains('\\') && !s.contains('"') && !s.contains('$') {
        return Some(s.to_owned());
    }
    unescape(s.as_bytes(), hcl_rune, true)
}

/// Copies a `${ … }` interpolation (at the start of `s`) as written, up to its matching
/// brace; `None` where HCL1's `Unquote` fails: an unclosed interpolation, or U+FFFD in it.
fn copy_interpolation(s: &mut &[u8], buf: &mut Vec<u8>) -> Option<()> {
    buf.extend_from_slice(b"${");
    *s = &s[2..];
    let mut braces = 1usize;
    while !s.is_empty() && braces > 0 {
        // The source is UTF-8 cut at character boundaries, so the next character decodes from
        // its own bytes (decoding all the rest each time made long interpolations quadratic);
        // Go also rejects U+FFFD.
        let len = utf8_len(s[0]).min(s.len());
        let r = std::str::from_utf8(&s[..len]).ok()?.chars().next()?;
        if r == '\u{FFFD}' {
            return None;
        }
        let n = r.len_utf8();
        buf.extend_from_slice(&s[..n]);
        *s = &s[n..];
        match r {
            '{' => braces += 1,
            '}' => braces -= 1,
            _ => {}
        }
    }
    (braces == 0).then_some(())
}

/// Go's `strconv.Unquote` for a double-quoted string (the JSON dialect's strings): `None`
/// where Go fails.
pub(super) fn go_unquote(quoted: &str) -> Option<String> {
    let inner = quoted.strip_prefix('"')?.strip_suffix('"')?;
    if !inner.contains('\\') && !inner.contains('\n') && !inner.contains('"') {
        return Some(inner.to_owned());
    }
    unescape(inner.as_bytes(), json_rune, false)
}

/// The text between the quotes with its escapes (`\u`/`\U` values written by `rune`) and,
/// for HCL, `${ … }` interpolations copied as written; `None` at a bare line break or quote,
/// or where an escape fails.
fn unescape(
    mut s: &[u8],
    rune: fn(u32, &mut Vec<u8>) -> Option<()>,
    interpolations: bool,
) -> Option<String> {
    let mut buf: Vec<u8> = Vec::with_capacity(s.len());
    while let Some(&c) = s.first() {
        match c {
            b'$' if interpolations && s.get(1) == Some(&b'{') => {
                copy_interpolation(&mut s, &mut buf)?;
            }
            b'\n' | b'"' => return None,
            b'\\' => {
                let esc = *s.get(1)?;
                s = &s[2..];
                escape(esc, &mut s, &mut buf, rune)?;
            }
            _ => copy_char(&mut s, &mut buf),
        }
    }
    Some(go_lossy(&buf))
}

/// Copies the character (or, in broken UTF-8, the bytes Go takes for one) at the start of `s`.
fn copy_char(s: &mut &[u8], buf: &mut Vec<u8>) {
    let n = utf8_len(s[0]).min(s.len());
    buf.extend_from_slice(&s[..n]);
    *s = &s[n..];
}

fn utf8_len(first: u8) -> usize {
    match first {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
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
    let digits = match esc {
        b'x' => 2,
        b'u' => 4,
        b'U' => 8,
        b'0'..=b'7' => {
            buf.push(octal_escape(esc, rest.get(..2)?)?);
            *rest = rest.get(2..)?;
            return Some(());
        }
        _ => return None,
    };
    let v = hex_value(rest.get(..digits)?)?;
    *rest = rest.get(digits..)?;
    if esc == b'x' {
        buf.push(u8::try_from(v).ok()?);
        return Some(());
    }
    rune(v, buf)
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

/// Bytes to a string as Go's JSON encoder prints them: each byte that is not part of valid
/// UTF-8 becomes U+FFFD.
pub(super) fn go_lossy(bytes: &[u8]) -> String {
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

/// Go's `strconv.ParseFloat(s, 64)` for the number texts the scanner makes: decimal only
/// (a hexadecimal mantissa needs a `p` exponent, which the scanner never produces), finite.
pub(super) fn go_parse_float(s: &str) -> Option<f64> {
    if !is_decimal_float(s.as_bytes()) {
        return None;
    }
    s.parse::<f64>().ok().filter(|f| f.is_finite())
}

/// `[+-]? digits* [. digits*] [(e|E) [+-]? digits+]` with at least one mantissa digit: the
/// decimal form Go's `ParseFloat` reads.
fn is_decimal_float(b: &[u8]) -> bool {
    let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    let mut digits = count_digits(&b[i..]);
    i += digits;
    if b.get(i) == Some(&b'.') {
        let n = count_digits(&b[i + 1..]);
        i += 1 + n;
        digits += n;
    }
    if digits == 0 {
        return false;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        i += usize::from(matches!(b.get(i), Some(b'+' | b'-')));
        let n = count_digits(&b[i..]);
        if n == 0 {
            return false;
        }
        i += n;
    }
    i == b.len()
}

fn count_digits(b: &[u8]) -> usize {
    b.iter().take_while(|c| c.is_ascii_digit()).count()
}

/// Go's `strconv.ParseInt(s, 0, 64)`: sign, `0x`/`0o`/`0b` prefixes, a leading `0` for
/// octal, underscores between digits.
pub(super) fn go_parse_int(s: &str) -> Option<i64> {
    let (neg, rest) = match s.as_bytes().first()? {
        b'+' => (false, &s[1..]),
        b'-' => (true, &s[1..]),
        _ => (false, s),
    };
    let un = go_parse_uint_base0(rest)?;
    if !neg {
        return i64::try_from(un).ok();
    }
    (un <= 1u64 << 63).then(|| 0i64.wrapping_sub_unsigned(un))
}

/// Go's `strconv.ParseUint(s, 0, 64)`.
fn go_parse_uint_base0(s: &str) -> Option<u64> {
    let (base, digits) = base_and_digits(s.as_bytes())?;
    let mut n: u64 = 0;
    let mut underscores = false;
    for &c in digits {
        if c == b'_' {
            underscores = true;
            continue;
        }
        let d = digit_value(c)?;
        if d >= base {
            return None;
        }
        n = n.checked_mul(base)?.checked_add(d)?;
    }
    if underscores && !underscore_ok(s) {
        return None;
    }
    Some(n)
}

/// The base a number text is written in (from its prefix) and its digits after the prefix.
fn base_and_digits(b: &[u8]) -> Option<(u64, &[u8])> {
    match b {
        [] => None,
        [b'0', p, _, ..] if matches!(p.to_ascii_lowercase(), b'b' | b'o' | b'x') => {
            let base = match p.to_ascii_lowercase() {
                b'b' => 2,
                b'o' => 8,
                _ => 16,
            };
            Some((base, &b[2..]))
        }
        [b'0', rest @ ..] => Some((8, rest)),
        _ => Some((10, b)),
    }
}

/// The value of a digit in any base up to 36; `None` for a character that is no digit.
fn digit_value(c: u8) -> Option<u64> {
    match c {
        b'0'..=b'9' => Some(u64::from(c - b'0')),
        _ if c.is_ascii_alphabetic() => Some(u64::from(c.to_ascii_lowercase() - b'a') + 10),
        _ => None,
    }
}

/// Go's `underscoreOK`: underscores only between digits or after a base prefix.
fn underscore_ok(s: &str) -> bool {
    let b = s.as_bytes();
    let b = if matches!(b.first(), Some(b'+' | b'-')) {
        &b[1..]
    } else {
        b
    };
    // `saw` is the class of the last character: '^' the start, '0' a digit or base prefix,
    // '_' an underscore, '!' anything else.
    let (saw, hex, body) = match b {
        [b'0', p, rest @ ..] if matches!(p.to_ascii_lowercase(), b'b' | b'o' | b'x') => {
            (b'0', p.eq_ignore_ascii_case(&b'x'), rest)
        }
        _ => (b'^', false, b),
    };
    body.iter()
        .try_fold(saw, |saw, &c| underscore_step(saw, c, hex))
        .is_some_and(|saw| saw != b'_')
}

/// One character of `underscoreOK`: the new class, or `None` for a misplaced underscore.
fn underscore_step(saw: u8, c: u8, hex: bool) -> Option<u8> {
    if c.is_ascii_digit() || (hex && c.is_ascii_hexdigit()) {
        return Some(b'0');
    }
    if c == b'_' {
        return (saw == b'0').then_some(b'_');
    }
    (saw != b'_').then_some(b'!')
}

#[cfg(test)]
mod tests {
    use super::*;

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
