//! The YAML reader (feature `yaml`): every YAML-specific line of the crate lives here.
//!
//! YAML is read by serde-saphyr (pure safe Rust, YAML 1.2) into the generic tree, with the
//! line and column of every value and key. Options: YAML 1.2 booleans only (`yes` and `on`
//! stay strings), duplicate keys rejected, nesting capped at [`Limits::max_depth`].
//! Consul itself never reads YAML: the product document's YAML is Consul's JSON shape written
//! as YAML (HCL1's lists of one map included), and that is what this reader expects.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;

use crate::syntax::tree::{Entry, Limits, Node, Pos, SyntaxError, Value};

/// Reads YAML text (one document) into the generic tree.
///
/// ```
/// # #[cfg(feature = "yaml")] {
/// use meshroute::tree::{Limits, Value};
///
/// let tree = meshroute::yaml::parse("Kind: proxy-defaults\nMeshGateway:\n- Mode: local\n", &Limits::default())?;
/// let Value::Map(entries) = &tree.value else { unreachable!() };
/// assert_eq!(entries[1].key, "MeshGateway");
/// assert_eq!(entries[1].key_pos.line, 2);
/// assert!(matches!(entries[1].value.value, Value::List(_)));
/// # }
/// # Ok::<(), meshroute::tree::SyntaxError>(())
/// ```
///
/// # Errors
///
/// A [`SyntaxError`] for text that is not YAML, has duplicate keys, non-string keys, or is over
/// the limits.
pub fn parse(src: &str, limits: &Limits) -> Result<Node, SyntaxError> {
    limits.check_len(src, "yaml")?;
    match serde_saphyr::from_str_with_options::<YNode>(src, options(limits)) {
        Ok(YNode(node)) => Ok(node),
        Err(e) => Err(syntax_error(&e)),
    }
}

/// YAML 1.2 booleans only, and serde-saphyr's budget set from `limits`.
fn options(limits: &Limits) -> serde_saphyr::Options {
    let mut options = serde_saphyr::Options::default();
    options.strict_booleans = true;
    let mut budget = serde_saphyr::Budget::default();
    budget.max_depth = limits.max_depth;
    // Node and event caps scale with the size cap (serde-saphyr's defaults stop at 250,000
    // nodes, below a 10,000-service file); alias expansion keeps its own default caps.
    budget.max_nodes = budget.max_nodes.max(limits.max_bytes / 4);
    budget.max_events = budget.max_events.max(limits.max_bytes / 2);
    options.budget = Some(budget);
    options
}

/// serde-saphyr's error as ours: its first line, where it says, over a limit or not.
fn syntax_error(e: &serde_saphyr::Error) -> SyntaxError {
    let pos = e.location().map_or_else(Pos::default, |l| {
        Pos::new(clamp(l.line()), clamp(l.column()))
    });
    let msg = e.to_string();
    let first = msg
        .lines()
        .next()
        .unwrap_or("invalid YAML")
        .trim()
        .to_owned();
    // serde-saphyr reports its node and depth caps as a breached budget; the scanner's own
    // cap on flow nesting comes through as its fixed message.
    if matches!(e, serde_saphyr::Error::Budget { .. })
        || first.ends_with("recursion limit exceeded")
    {
        SyntaxError::over_limit(pos, first)
    } else {
        SyntaxError::new(pos, first)
    }
}

fn clamp(v: u64) -> u32 {
    u32::try_from(v).unwrap_or(u32::MAX)
}

/// A tree node read with its position.
struct YNode(Node);

/// A tree value without position (the position comes from the `Spanned` around it).
struct YValue(Value);

impl<'de> Deserialize<'de> for YNode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let sp = Spanned::<YValue>::deserialize(d)?;
        let pos = Pos::new(clamp(sp.referenced.line()), clamp(sp.referenced.column()));
        Ok(Self(Node::new(pos, sp.value.0)))
    }
}

impl<'de> Deserialize<'de> for YValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = YValue;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a YAML value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<YValue, E> {
        Ok(YValue(Value::Bool(v)))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<YValue, E> {
        Ok(YValue(Value::Int(v)))
    }

    #[allow(clippy::cast_precision_loss)] // past i64 a number is a float, as in JSON readers
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<YValue, E> {
        Ok(YValue(
            i64::try_from(v).map_or_else(|_| Value::Float(v as f64), Value::Int),
        ))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<YValue, E> {
        Ok(YValue(Value::Float(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<YValue, E> {
        Ok(YValue(Value::String(v.to_owned())))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<YValue, E> {
        Ok(YValue(Value::String(v)))
    }

    fn visit_unit<E: de::Error>(self) -> Result<YValue, E> {
        Ok(YValue(Value::Null))
    }

    fn visit_none<E: de::Error>(self) -> Result<YValue, E> {
        Ok(YValue(Value::Null))
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<YValue, D::Error> {
        YValue::deserialize(d)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<YValue, A::Error> {
        let mut items = Vec::new();
        while let Some(YNode(n)) = seq.next_element()? {
            items.push(n);
        }
        Ok(YValue(Value::List(items)))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<YValue, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<Spanned<String>>()? {
            let YNode(value) = map.next_value()?;
            entries.push(Entry {
                key: key.value,
                key_pos: Pos::new(clamp(key.referenced.line()), clamp(key.referenced.column())),
                value,
            });
        }
        Ok(YValue(Value::Map(entries)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(src: &str) -> Result<Node, SyntaxError> {
        parse(src, &Limits::default())
    }

    #[test]
    fn yaml_1_1_booleans_stay_strings() {
        let n = p("a: yes\nb: on\nc: true\n").unwrap();
        let j = n.to_json();
        assert_eq!(j["a"], "yes");
        assert_eq!(j["b"], "on");
        assert_eq!(j["c"], true);
    }

    #[test]
    fn duplicate_keys_are_rejected() {
        let e = p("Name: a\nName: b\n").unwrap_err();
        assert_eq!(e.pos.line, 2, "{e}");
    }

    #[test]
    fn positions_are_recorded() {
        let n = p("a:\n  - b: 1\n").unwrap();
        let Value::Map(entries) = &n.value else {
            panic!()
        };
        let Value::List(items) = &entries[0].value.value else {
            panic!()
        };
        assert_eq!(items[0].pos.line, 2);
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let src = "[".repeat(100_000);
        assert!(p(&src).is_err());
    }
}
