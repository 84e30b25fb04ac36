//! What an untagged plain scalar is (YAML 1.2's core schema, as serde-saphyr resolves it for
//! a generic value with YAML 1.2 booleans): null, a boolean, an integer, a float, or the text
//! itself. Quoted and block scalars are always text; they do not come here.
//!
//! The order is serde-saphyr's: null spellings (`~`, `null`, `Null`, `NULL`, nothing);
//! `true`/`True`/`TRUE` and the `false`s; then, unless the number is one serde-saphyr keeps
//! as text (an upper-case radix prefix such as `0X1F`, a signed `.nan`), an integer (decimal
//! without leading zeros, `0x`, `0o`, `0b`, single `_` between digits, a `+` or `-` sign,
//! within 64 bits); then a float as Rust reads one, finite. What is neither is the text.
//! Non-finite floats (`.inf`, `.nan`, `1e999`) are not answered here ([`Plain::Unsure`]): the
//! caller leaves them to serde-saphyr, which has a policy for them.

use std::borrow::Cow;

use crate::syntax::tree::Value;

/// What a plain scalar resolves to.
#[derive(Debug, PartialEq)]
pub(super) enum Plain<'a> {
    /// A value of the tree (text borrowed as the scalar was).
    Value(Value<'a>),
    /// A case serde-saphyr decides with options of its own (non-finite floats).
    Unsure,
}

/// Resolves the plain scalar `text`.
pub(super) fn plain(text: Cow<'_, str>) -> Plain<'_> {
    // Most plain scalars of a manifest are names: a letter that starts none of the words
    // below is text at once.
    match text.as_bytes().first() {
        Some(b'a'..=b'z' | b'A'..=b'Z') if !text.starts_with(['n', 'N', 't', 'T', 'f', 'F']) => {
            return Plain::Value(Value::String(text));
        }
        _ => {}
    }
    if matches!(&*text, "" | "~" | "null" | "Null" | "NULL") {
        return Plain::Value(Value::Null);
    }
    let t = text.trim_matches([' ', '\t', '\r', '\n']);
    match t {
        "true" | "True" | "TRUE" => return Plain::Value(Value::Bool(true)),
        "false" | "False" | "FALSE" => return Plain::Value(Value::Bool(false)),
        _ => {}
    }
    let unsigned = t.strip_prefix(['+', '-']).unwrap_or(t);
    let upper_radix = matches!(unsigned.as_bytes(), [b'0', b'X' | b'O' | b'B', ..]);
    let signed_nan = unsigned.len() < t.len() && matches!(unsigned, ".nan" | ".NaN" | ".NAN");
    if upper_radix || signed_nan {
        return Plain::Value(Value::String(text));
    }
    if let Some(v) = integer(t) {
        return Plain::Value(v);
    }
    match float(t, unsigned) {
        Some(p) => p,
        None => Plain::Value(Value::String(text)),
    }
}

/// An integer: `Int` within i64, a `BigInt` as serde-saphyr's reader gives them for the
/// unsigned values past it (`u64` in decimal).
fn integer(t: &str) -> Option<Value<'static>> {
    if let Some(rest) = t.strip_prefix('-') {
        // A negative decimal with leading zeros is not an integer (it may be a float).
        if leading_zero_decimal(rest) {
            return None;
        }
        let mag = magnitude(rest)?;
        let v = 0i128.checked_sub(i128::try_from(mag).ok()?)?;
        return i64::try_from(v).ok().map(Value::Int);
    }
    let mag = u64::try_from(magnitude(t.strip_prefix('+').unwrap_or(t))?).ok()?;
    Some(i64::try_from(mag).map_or_else(|_| Value::BigInt(mag.to_string().into()), Value::Int))
}

/// The magnitude of an unsigned integer: a lower-case radix prefix and its digits, or a
/// decimal without leading zeros; `_` only between digits.
fn magnitude(s: &str) -> Option<u128> {
    let (radix, digits) = if let Some(d) = s.strip_prefix("0x") {
        (16, d)
    } else if let Some(d) = s.strip_prefix("0o") {
        (8, d)
    } else if let Some(d) = s.strip_prefix("0b") {
        (2, d)
    } else {
        if s.starts_with('0') && s != "0" {
            return None;
        }
        (10, s)
    };
    digits_value(digits, radix)
}

/// The value of `digits` in `radix`, with single underscores between digits; `None` for no
/// digits, another character, or more than 128 bits.
fn digits_value(digits: &str, radix: u32) -> Option<u128> {
    let bytes = digits.as_bytes();
    let mut value: u128 = 0;
    let mut any = false;
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'_' {
            let between =
                i > 0 && bytes[i - 1] != b'_' && bytes.get(i + 1).is_some_and(|&n| n != b'_');
            if !between {
                return None;
            }
            continue;
        }
        let d = char::from(b).to_digit(radix)?;
        value = value
            .checked_mul(u128::from(radix))?
            .checked_add(u128::from(d))?;
        any = true;
    }
    any.then_some(value)
}

/// Whether `s` (after its sign) is a decimal of two digits or more starting with `0`.
fn leading_zero_decimal(s: &str) -> bool {
    s.len() > 1 && s.starts_with('0') && s.bytes().all(|b| b.is_ascii_digit())
}

/// A float: a finite one, [`Plain::Unsure`] for a non-finite one (YAML's `.inf`/`.nan`
/// spellings, or digits past f64's range), `None` for text.
fn float(t: &str, unsigned: &str) -> Option<Plain<'static>> {
    if matches!(
        unsigned,
        ".nan" | ".NaN" | ".NAN" | ".inf" | ".Inf" | ".INF"
    ) {
        return Some(Plain::Unsure);
    }
    match t.parse::<f64>() {
        Ok(f) if f.is_finite() => Some(Plain::Value(Value::Float(f))),
        Ok(_) if unsigned.as_bytes().first().is_some_and(u8::is_ascii_digit) => Some(Plain::Unsure),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> Value<'_> {
        match plain(Cow::Borrowed(text)) {
            Plain::Value(v) => v,
            Plain::Unsure => panic!("{text}: unsure"),
        }
    }

    fn s(text: &str) -> Value<'_> {
        Value::String(Cow::Borrowed(text))
    }

    #[test]
    fn nulls_and_yaml_1_2_booleans() {
        for n in ["", "~", "null", "Null", "NULL"] {
            assert_eq!(v(n), Value::Null, "{n:?}");
        }
        assert_eq!(v("nULL"), s("nULL"));
        assert_eq!(v("True"), Value::Bool(true));
        assert_eq!(v("FALSE"), Value::Bool(false));
        for text in ["yes", "on", "y", "tRUE", "no", "off"] {
            assert_eq!(v(text), s(text));
        }
    }

    #[test]
    fn integers_in_every_radix_and_their_limits() {
        assert_eq!(v("0"), Value::Int(0));
        assert_eq!(v("-0"), Value::Int(0));
        assert_eq!(v("+17"), Value::Int(17));
        assert_eq!(v("1_000"), Value::Int(1000));
        assert_eq!(v("0x1F"), Value::Int(31));
        assert_eq!(v("-0x1f"), Value::Int(-31));
        assert_eq!(v("0o17"), Value::Int(15));
        assert_eq!(v("0b101"), Value::Int(5));
        assert_eq!(v("-9223372036854775808"), Value::Int(i64::MIN));
        assert_eq!(
            v("9223372036854775808"),
            Value::BigInt("9223372036854775808".into())
        );
        assert_eq!(
            v("18446744073709551616"),
            Value::Float(18_446_744_073_709_551_616.0)
        );
        for text in [
            "0X1F", "0O7", "-0B1", "0x", "1__0", "_1", "1_", "0x_1", "0xG",
        ] {
            assert_eq!(v(text), s(text), "{text}");
        }
    }

    #[test]
    fn leading_zeros_read_as_floats_and_floats_as_rust_reads_them() {
        assert_eq!(v("0123"), Value::Float(123.0));
        assert_eq!(v("-012"), Value::Float(-12.0));
        assert_eq!(v("1.5"), Value::Float(1.5));
        assert_eq!(v("1e3"), Value::Float(1000.0));
        assert_eq!(v("+.5"), Value::Float(0.5));
        assert_eq!(v("1."), Value::Float(1.0));
        for text in [
            "inf", "nan", "infinity", "1_0.5", "1.5.1", "-", "+", ".", "-.nan", "+.NaN",
        ] {
            assert_eq!(v(text), s(text), "{text}");
        }
        for text in [".inf", "-.Inf", "+.INF", ".nan", ".NaN", "1e999", "-1e999"] {
            assert_eq!(plain(Cow::Borrowed(text)), Plain::Unsure, "{text}");
        }
    }
}
