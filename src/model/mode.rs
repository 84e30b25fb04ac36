//! [`MeshGatewayMode`]: how a proxy reaches an upstream in another datacenter.

use std::fmt;
use std::str::FromStr;

/// The mesh gateway mode of one configuration layer, exactly as Consul spells it.
///
/// [`MeshGatewayMode::Default`] (the empty string in Consul) means *no opinion at this layer*:
/// a lower layer decides. The other values are the three modes of the product document.
/// Parsing is exact and case-sensitive, as in Consul (`"Local"` is invalid).
///
/// ```
/// use meshroute::MeshGatewayMode;
///
/// let mode: MeshGatewayMode = "remote".parse()?;
/// assert_eq!(mode, MeshGatewayMode::Remote);
/// assert_eq!(mode.to_string(), "remote");
/// assert_eq!("".parse::<MeshGatewayMode>()?, MeshGatewayMode::Default);
///
/// let err = "Local".parse::<MeshGatewayMode>().unwrap_err();
/// assert_eq!(err.to_string(), r#"Invalid Mesh Gateway Mode: "Local""#);
/// # Ok::<(), meshroute::InvalidMode>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum MeshGatewayMode {
    /// No opinion at this layer (`""`): the next layer down decides.
    #[default]
    Default,
    /// `none`: no gateway, dial the destination instances directly.
    None,
    /// `local`: dial a mesh gateway in the proxy's own datacenter.
    Local,
    /// `remote`: dial a mesh gateway in the destination datacenter.
    Remote,
}

impl MeshGatewayMode {
    /// Every mode, in declaration order.
    pub const ALL: [Self; 4] = [Self::Default, Self::None, Self::Local, Self::Remote];

    /// The string Consul uses for this mode (`""` for [`MeshGatewayMode::Default`]).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Default => "",
            Self::None => "none",
            Self::Local => "local",
            Self::Remote => "remote",
        }
    }

    /// Whether this layer states no opinion.
    pub const fn is_default(&self) -> bool {
        matches!(self, Self::Default)
    }

    /// Consul's `OverlayWith`: `other` replaces `self` unless `other` is the default.
    #[must_use]
    pub const fn overlay(self, other: Self) -> Self {
        if other.is_default() { self } else { other }
    }
}

impl fmt::Display for MeshGatewayMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// The error for a string that is not one of Consul's four mode strings.
///
/// Its message is Consul's own: `Invalid Mesh Gateway Mode: "<value>"`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvalidMode {
    value: String,
}

impl InvalidMode {
    /// The rejected string.
    pub fn value(&self) -> &str {
        &self.value
    }
}

impl fmt::Display for InvalidMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Go's %q quoting: double quotes with escapes.
        write!(f, "Invalid Mesh Gateway Mode: {}", go_quote(&self.value))
    }
}

impl std::error::Error for InvalidMode {}

impl FromStr for MeshGatewayMode {
    type Err = InvalidMode;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "" => Ok(Self::Default),
            "none" => Ok(Self::None),
            "local" => Ok(Self::Local),
            "remote" => Ok(Self::Remote),
            other => Err(InvalidMode {
                value: other.to_owned(),
            }),
        }
    }
}

impl TryFrom<&str> for MeshGatewayMode {
    type Error = InvalidMode;

    fn try_from(s: &str) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<MeshGatewayMode> for &'static str {
    fn from(mode: MeshGatewayMode) -> Self {
        mode.as_str()
    }
}

impl serde::Serialize for MeshGatewayMode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for MeshGatewayMode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Quotes a string the way Go's `%q` does for the characters that matter in messages; a
/// string longer than [`crate::text::MAX_QUOTED`] characters is cut there, followed by `…`
/// and its length (`"kkk…" (100 bytes)`), as [`crate::text::Quoted`] cuts.
pub(crate) fn go_quote(s: &str) -> String {
    let shown = match s.char_indices().nth(crate::text::MAX_QUOTED) {
        Some((i, _)) => &s[..i],
        None => s,
    };
    let mut out = String::with_capacity(shown.len() + 2);
    out.push('"');
    for c in shown.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                use std::fmt::Write;
                let _ = write!(out, "\\x{:02x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    if shown.len() < s.len() {
        use std::fmt::Write;
        let _ = write!(out, "…\" ({} bytes)", s.len());
    } else {
        out.push('"');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_is_exact_and_case_sensitive() {
        for m in MeshGatewayMode::ALL {
            assert_eq!(m.as_str().parse::<MeshGatewayMode>().unwrap(), m);
        }
        for bad in ["Local", "REMOTE", " local", "local ", "default", "None"] {
            let e = bad.parse::<MeshGatewayMode>().unwrap_err();
            assert_eq!(e.value(), bad);
            assert!(e.to_string().starts_with("Invalid Mesh Gateway Mode: \""));
        }
    }

    #[test]
    fn go_quoting_escapes() {
        let e = "a\"b\n".parse::<MeshGatewayMode>().unwrap_err();
        assert_eq!(e.to_string(), r#"Invalid Mesh Gateway Mode: "a\"b\n""#);
    }

    #[test]
    fn overlay_keeps_base_only_for_default() {
        use MeshGatewayMode::*;
        assert_eq!(Local.overlay(Default), Local);
        assert_eq!(Local.overlay(Remote), Remote);
        assert_eq!(Default.overlay(None), None);
    }
}
