//! [`Opaque`]: a configuration map kept as written, compact and shared.

use std::fmt;
use std::sync::Arc;

use serde::de::{Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::{Serialize, Serializer};
use serde_json::value::RawValue;

/// A parsed JSON object (the agent's settings this crate does not model, the parts of a
/// discovery chain entry kept as written).
pub type JsonMap = serde_json::Map<String, serde_json::Value>;

/// A map kept as written and never interpreted as a whole (`Config` of a `proxy-defaults`
/// entry, of a proxy or an upstream; the body of a config entry of a kind this crate does
/// not model).
///
/// It is held as compact JSON text, each key once (a repeated key keeps its last value at
/// its first place) in the order written, and shared: a clone costs a reference count,
/// whatever the map holds. (Held as a `serde_json::Value`, a list of a million numbers cost
/// 72 MB, and each copy as much again.) Reading a key parses the text up to it; it
/// serializes as the JSON it holds, handed to serde_json as a raw value (serde_json's writers
/// and `to_value` read it as the map; another format's serializer would see serde_json's
/// raw-value wrapper: give it [`Opaque::to_map`]).
///
/// ```
/// use meshroute::Opaque;
/// use serde_json::json;
///
/// let mut config = Opaque::new();
/// config.insert("protocol".into(), json!("http"));
/// assert_eq!(config.get("protocol"), Some(json!("http")));
/// assert_eq!(config.get_ignore_ascii_case("PROTOCOL"), Some(json!("http")));
/// assert_eq!(config.as_str(), r#"{"protocol":"http"}"#);
/// assert_eq!(serde_json::to_string(&config)?, r#"{"protocol":"http"}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Opaque(Arc<str>);

impl Opaque {
    /// An empty map.
    pub fn new() -> Self {
        Self(Arc::from("{}"))
    }

    /// The map `text` holds: compact JSON text of an object, each key once. The decoder
    /// writes it from the document's tree.
    pub(crate) fn from_json_text(text: String) -> Self {
        debug_assert!(text.starts_with('{'), "{text}");
        Self(Arc::from(text))
    }

    /// The map as compact JSON text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether the map has no key.
    pub fn is_empty(&self) -> bool {
        &*self.0 == "{}"
    }

    /// The map parsed, for a caller that reads it whole.
    pub fn to_map(&self) -> JsonMap {
        serde_json::from_str(&self.0).unwrap_or_default()
    }

    /// The value of `key`, parsed (the text is read up to it).
    pub fn get(&self, key: &str) -> Option<serde_json::Value> {
        self.find(|k| k == key).map(|(_, v)| v)
    }

    /// The value of the first key equal to `key` ignoring ASCII case, parsed.
    pub fn get_ignore_ascii_case(&self, key: &str) -> Option<serde_json::Value> {
        self.find(|k| k.eq_ignore_ascii_case(key)).map(|(_, v)| v)
    }

    /// The keys, in order (the values are skipped, not built).
    pub fn keys(&self) -> Vec<String> {
        let mut keys = Vec::new();
        let mut de = serde_json::Deserializer::from_str(&self.0);
        let _ = de.deserialize_map(KeysVisitor(&mut keys));
        keys
    }

    /// Sets `key` to `value` (in place when the key is there, else last); the previous value.
    pub fn insert(&mut self, key: String, value: serde_json::Value) -> Option<serde_json::Value> {
        let mut map = self.to_map();
        let old = map.insert(key, value);
        *self = Self::from(map);
        old
    }

    /// The first key `matches` accepts, and its value.
    fn find(&self, matches: impl Fn(&str) -> bool) -> Option<(String, serde_json::Value)> {
        let mut de = serde_json::Deserializer::from_str(&self.0);
        de.deserialize_map(FindVisitor(matches)).ok().flatten()
    }
}

impl Default for Opaque {
    fn default() -> Self {
        Self::new()
    }
}

impl From<JsonMap> for Opaque {
    fn from(map: JsonMap) -> Self {
        Self::from_json_text(serde_json::Value::Object(map).to_string())
    }
}

impl FromIterator<(String, serde_json::Value)> for Opaque {
    fn from_iter<I: IntoIterator<Item = (String, serde_json::Value)>>(iter: I) -> Self {
        Self::from(iter.into_iter().collect::<JsonMap>())
    }
}

impl fmt::Debug for Opaque {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Opaque({})", self.0)
    }
}

impl Serialize for Opaque {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // The text is JSON this crate wrote; serde_json's serializers copy it as it is.
        let raw: &RawValue = serde_json::from_str(&self.0).map_err(serde::ser::Error::custom)?;
        raw.serialize(s)
    }
}

/// Reads a map's keys, skipping its values, up to the first key it accepts.
struct FindVisitor<F>(F);

impl<'de, F: Fn(&str) -> bool> Visitor<'de> for FindVisitor<F> {
    type Value = Option<(String, serde_json::Value)>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a map")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut found = None;
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            if found.is_none() && (self.0)(&key) {
                found = Some((key.into_owned(), map.next_value()?));
            } else {
                // Skipped, not built (the map must still be read to its end).
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(found)
    }
}

/// Collects a map's keys, skipping its values.
struct KeysVisitor<'k>(&'k mut Vec<String>);

impl<'de> Visitor<'de> for KeysVisitor<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a map")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            map.next_value::<IgnoredAny>()?;
            self.0.push(key);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn reads_keys_and_values_without_building_the_rest() {
        let o = Opaque::from_json_text(r#"{"a":[1,2,{"x":null}],"B":"s","c":1.5}"#.into());
        assert_eq!(o.keys(), ["a", "B", "c"]);
        assert_eq!(o.get("B"), Some(json!("s")));
        assert_eq!(o.get("b"), None);
        assert_eq!(o.get_ignore_ascii_case("b"), Some(json!("s")));
        assert_eq!(o.get("a"), Some(json!([1, 2, {"x": null}])));
        assert_eq!(o.to_map()["c"], json!(1.5));
        assert!(!o.is_empty());
        assert!(Opaque::new().is_empty());
        assert!(Opaque::new().keys().is_empty());
    }

    #[test]
    fn a_clone_shares_the_text() {
        let o = Opaque::from(json!({"k": "v"}).as_object().unwrap().clone());
        let c = o.clone();
        assert!(Arc::ptr_eq(&o.0, &c.0));
        assert_eq!(serde_json::to_value(&c).unwrap(), json!({"k": "v"}));
    }
}
