//! The connect injector's `consul.hashicorp.com/connect-service-upstreams` annotation, parsed
//! as consul-k8s's endpoints controller parses it, with its error texts.
//!
//! The annotation is a comma-separated list; each entry is trimmed and read in one of three
//! forms, told apart by its text before the first `:`:
//!
//! - **prepared query**: `prepared_query:<query>:<port>`;
//! - **labelled** (the second dot-separated word is `svc`):
//!   `<service>.svc[.<namespace>.ns][.<partition>.ap | .<datacenter>.dc | .<peer>.peer]:<port>`,
//!   then optionally `:<destination port>` or `:<options>`. The `.ns`, `.ap` parts need
//!   Consul namespaces or admin partitions enabled, and then `.ns` is required before the
//!   last label; without them only `<service>.svc[.<datacenter>.dc | .<peer>.peer]` is
//!   accepted;
//! - **unlabelled** (anything else): `<service>[.<namespace>[.<partition>]]:<port>[:<rest>]`,
//!   where the dots are read only with namespaces or partitions enabled (otherwise they are
//!   part of the service name), and `<rest>` is a datacenter, `<options>`, or
//!   `<datacenter>?<options>`.
//!
//! `<options>` is a URL query (`&` or `;` between pairs, `%XX` escapes): `destination_port`
//! (also `destination-port`, `destinationPort`, `port`), `local_bind_address`
//! (`local-bind-address`, `localBindAddress`), `mesh_gateway_mode` (`mesh-gateway-mode`,
//! `meshGatewayMode`: `none`, `local` or `remote`) and `datacenter` (`dc`). A pair with an
//! empty value is ignored, whatever its key.
//!
//! `<port>` is a container port's name in the pod, else an integer as Go's
//! `strconv.ParseInt(s, 0, 32)` reads it (`0x1F90`, `0o17`, `017`, `8_080` are numbers), and
//! must be positive.
//!
//! ```
//! use meshroute::load::kubernetes::annotation::{Form, Options, parse};
//! use meshroute::MeshGatewayMode;
//!
//! let entries = parse("api:8080:dc2, db.svc.peer1.peer:9090, cache:7000:mesh_gateway_mode=local", &Options::new());
//! let api = entries[0].as_ref().unwrap();
//! assert_eq!(api.form, Form::Unlabeled);
//! assert_eq!(api.upstream.datacenter.as_deref(), Some("dc2"));
//! let db = entries[1].as_ref().unwrap();
//! assert_eq!(db.upstream.destination_peer.as_deref(), Some("peer1"));
//! let cache = entries[2].as_ref().unwrap();
//! assert_eq!(cache.upstream.mesh_gateway.mode, MeshGatewayMode::Local);
//!
//! let err = parse("api.svc.ns1.ns:8080", &Options::new())[0].clone().unwrap_err();
//! assert_eq!(err.to_string(), "upstream structured incorrectly: api.svc.ns1.ns:8080");
//! ```

use std::fmt;

use crate::model::mode::{MeshGatewayMode, go_quote};
use crate::model::service::{DestinationType, MeshGatewayConfig, Upstream};

/// What the parse depends on besides the text: the cluster's Consul Enterprise features and
/// the pod's named container ports.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Options {
    /// Consul namespaces are enabled (`global.enableConsulNamespaces`).
    pub namespaces: bool,
    /// Admin partitions are enabled (`global.adminPartitions.enabled`).
    pub partitions: bool,
    /// The pod's named container ports, `(name, containerPort)`, in container order.
    pub named_ports: Vec<(String, i64)>,
}

impl Options {
    /// Consul CE's defaults: no namespaces, no partitions, no named ports.
    pub fn new() -> Self {
        Self::default()
    }

    /// The same options with namespaces and partitions as given.
    #[must_use]
    pub fn with_enterprise(mut self, namespaces: bool, partitions: bool) -> Self {
        self.namespaces = namespaces;
        self.partitions = partitions;
        self
    }

    /// The same options with one more named container port.
    #[must_use]
    pub fn with_named_port(mut self, name: impl Into<String>, port: i64) -> Self {
        self.named_ports.push((name.into(), port));
        self
    }

    fn enterprise(&self) -> bool {
        self.namespaces || self.partitions
    }
}

/// The form an annotation entry was written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Form {
    /// `prepared_query:<query>:<port>`.
    PreparedQuery,
    /// `<service>.svc…:<port>`.
    Labeled,
    /// `<service>…:<port>[:…]`.
    Unlabeled,
}

/// One entry of the annotation, parsed.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct AnnotatedUpstream {
    /// The entry as written, trimmed (as consul-k8s quotes it in its errors).
    pub raw: String,
    /// Its byte offset in the annotation.
    pub offset: usize,
    /// The form it was written in.
    pub form: Form,
    /// The upstream consul-k8s registers for it (its position unset).
    pub upstream: Upstream,
    /// The `destination_port` (Consul's multi-port services), which the upstream model does
    /// not carry.
    pub destination_port: Option<String>,
}

/// An entry consul-k8s rejects; its message is consul-k8s's.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct AnnotationError {
    /// The entry as written, trimmed.
    pub raw: String,
    /// Its byte offset in the annotation.
    pub offset: usize,
    /// What is wrong.
    pub kind: AnnotationErrorKind,
}

/// What is wrong with an annotation entry.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum AnnotationErrorKind {
    /// `upstream structured incorrectly: <entry>`.
    StructuredIncorrectly,
    /// `invalid upstream local bind port "<token>" in "<entry>"`.
    InvalidLocalBindPort(String),
    /// `invalid upstream mesh gateway mode "<mode>" in "<entry>"`.
    InvalidMeshGatewayMode(String),
    /// `unsupported upstream option "<key>" in "<entry>"`.
    UnsupportedOption(String),
}

impl fmt::Display for AnnotationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let raw = go_quote(&self.raw);
        match &self.kind {
            AnnotationErrorKind::StructuredIncorrectly => {
                write!(f, "upstream structured incorrectly: {}", self.raw)
            }
            AnnotationErrorKind::InvalidLocalBindPort(t) => {
                write!(
                    f,
                    "invalid upstream local bind port {} in {raw}",
                    go_quote(t)
                )
            }
            AnnotationErrorKind::InvalidMeshGatewayMode(m) => {
                write!(
                    f,
                    "invalid upstream mesh gateway mode {} in {raw}",
                    go_quote(m)
                )
            }
            AnnotationErrorKind::UnsupportedOption(k) => {
                write!(f, "unsupported upstream option {} in {raw}", go_quote(k))
            }
        }
    }
}

impl std::error::Error for AnnotationError {}

/// Every entry of an annotation, each parsed or rejected on its own (consul-k8s stops at the
/// first rejected entry and registers none of the pod's services; the others are given here
/// so that every mistake can be reported at once).
pub fn parse(
    annotation: &str,
    options: &Options,
) -> Vec<Result<AnnotatedUpstream, AnnotationError>> {
    let mut out = Vec::new();
    let mut offset = 0;
    for piece in annotation.split(',') {
        let lead = piece.len() - piece.trim_start().len();
        out.push(parse_entry(piece.trim(), offset + lead, options));
        offset += piece.len() + 1;
    }
    out
}

/// One trimmed entry at byte `offset`.
fn parse_entry(
    raw: &str,
    offset: usize,
    options: &Options,
) -> Result<AnnotatedUpstream, AnnotationError> {
    let parts: Vec<&str> = raw.splitn(3, ':').collect();
    let head = parts[0];
    let labeled = head.split('.').nth(1) == Some("svc");
    let e = Entry { raw, offset };
    let (form, parsed) = if head.trim() == "prepared_query" {
        (Form::PreparedQuery, e.prepared_query(&parts, options))
    } else if labeled {
        (Form::Labeled, e.labeled(&parts, options))
    } else {
        (Form::Unlabeled, e.unlabeled(&parts, options))
    };
    let (upstream, destination_port) = parsed?;
    Ok(AnnotatedUpstream {
        raw: raw.to_owned(),
        offset,
        form,
        upstream,
        destination_port,
    })
}

/// An entry being parsed: its text, for errors.
struct Entry<'a> {
    raw: &'a str,
    offset: usize,
}

type Parsed = Result<(Upstream, Option<String>), AnnotationError>;

impl Entry<'_> {
    fn err(&self, kind: AnnotationErrorKind) -> AnnotationError {
        AnnotationError {
            raw: self.raw.to_owned(),
            offset: self.offset,
            kind,
        }
    }

    fn structure(&self) -> AnnotationError {
        self.err(AnnotationErrorKind::StructuredIncorrectly)
    }

    /// The local bind port of `token`: a named container port, else a positive integer.
    fn port(&self, token: &str, options: &Options) -> Result<u16, AnnotationError> {
        let token = token.trim();
        let bad = || self.err(AnnotationErrorKind::InvalidLocalBindPort(token.to_owned()));
        let port = match options.named_ports.iter().find(|(n, _)| n == token) {
            Some((_, p)) => *p,
            None => go_parse_int32(token).map_err(|_| bad())?,
        };
        if port <= 0 {
            return Err(bad());
        }
        // consul-k8s passes any positive 32-bit number on; Consul would take it as a port.
        u16::try_from(port).map_err(|_| bad())
    }

    fn prepared_query(&self, parts: &[&str], options: &Options) -> Parsed {
        let [_, name, port] = parts else {
            return Err(self.structure());
        };
        let port = self.port(port, options)?;
        let name = name.trim();
        if name.is_empty() {
            return Err(self.structure());
        }
        let upstream = Upstream {
            destination_type: DestinationType::PreparedQuery,
            local_bind_port: Some(port),
            ..Upstream::service(name)
        };
        Ok((upstream, None))
    }

    fn unlabeled(&self, parts: &[&str], options: &Options) -> Parsed {
        if parts.len() < 2 {
            return Err(self.structure());
        }
        let port = self.port(parts[1], options)?;
        let mut u = Upstream {
            local_bind_port: Some(port),
            ..Upstream::default()
        };
        if options.enterprise() {
            let pieces: Vec<&str> = parts[0].splitn(3, '.').collect();
            pieces[0].trim().clone_into(&mut u.destination_name);
            u.destination_namespace = pieces.get(1).map(|s| s.trim().to_owned());
            u.destination_partition = pieces.get(2).map(|s| s.trim().to_owned());
        } else {
            parts[0].trim().clone_into(&mut u.destination_name);
        }
        let mut extra = Extra::default();
        if let Some(rest) = parts.get(2) {
            extra = self.unlabeled_extra(rest)?;
        }
        Ok(extra.apply(u))
    }

    /// After `<service>:<port>:` in the unlabelled form: a datacenter, options, or
    /// `<datacenter>?<options>` (the options' `datacenter` wins).
    fn unlabeled_extra(&self, rest: &str) -> Result<Extra, AnnotationError> {
        let extra = rest.trim();
        if extra.is_empty() {
            return Ok(Extra::default());
        }
        if let Some((prefix, query)) = extra.split_once('?') {
            let mut fields = self.options(query.trim())?;
            let prefix = prefix.trim();
            if !prefix.is_empty() && fields.datacenter.is_none() {
                fields.datacenter = Some(prefix.to_owned());
            }
            return Ok(fields);
        }
        if extra.contains(['=', '&']) {
            return self.options(extra);
        }
        Ok(Extra {
            datacenter: Some(extra.to_owned()),
            ..Extra::default()
        })
    }

    fn labeled(&self, parts: &[&str], options: &Options) -> Parsed {
        if parts.len() < 2 {
            return Err(self.structure());
        }
        let port = self.port(parts[1], options)?;
        let pieces: Vec<&str> = parts[0].split('.').collect();
        let mut u = Upstream {
            local_bind_port: Some(port),
            ..Upstream::default()
        };
        self.labels(&pieces, options.enterprise(), &mut u)?;
        let mut extra = Extra::default();
        if let Some(rest) = parts.get(2) {
            extra = self.labeled_extra(rest)?;
        }
        if let Some(dc) = &extra.datacenter
            && u.datacenter.as_ref().is_some_and(|d| d != dc)
        {
            return Err(self.structure());
        }
        Ok(extra.apply(u))
    }

    /// `<service>.svc[.<namespace>.ns][.<x>.ap|dc|peer]`.
    fn labels(
        &self,
        pieces: &[&str],
        enterprise: bool,
        u: &mut Upstream,
    ) -> Result<(), AnnotationError> {
        let t = |i: usize| pieces[i].trim();
        let last = match (enterprise, pieces.len()) {
            (true, 6) => Some(4),
            (false, 4) => Some(2),
            (true, 4 | 2) | (false, 2) => None,
            _ => return Err(self.structure()),
        };
        if let Some(i) = last {
            let value = Some(t(i).to_owned());
            match t(i + 1) {
                "peer" => u.destination_peer = value,
                "ap" if enterprise => u.destination_partition = value,
                "dc" => u.datacenter = value,
                _ => return Err(self.structure()),
            }
        }
        if enterprise && pieces.len() >= 4 {
            if t(3) != "ns" {
                return Err(self.structure());
            }
            u.destination_namespace = Some(t(2).to_owned());
        }
        t(0).clone_into(&mut u.destination_name);
        Ok(())
    }

    /// After `<service>.svc…:<port>:` in the labelled form: options, or a destination port.
    fn labeled_extra(&self, rest: &str) -> Result<Extra, AnnotationError> {
        let extra = rest.trim();
        if extra.is_empty() {
            return Ok(Extra::default());
        }
        if extra.contains(['=', '&', '?']) {
            return self.options(extra);
        }
        Ok(Extra {
            destination_port: Some(extra.to_owned()),
            ..Extra::default()
        })
    }

    /// A query of options, read as Go's `url.ParseQuery` reads it (`;` counts as `&`), the
    /// first value of each key used. Go visits the keys in random order, so of two bad
    /// keys it reports either; this reports the first one written.
    fn options(&self, raw: &str) -> Result<Extra, AnnotationError> {
        let cleaned = raw.trim();
        let cleaned = cleaned
            .strip_prefix('?')
            .unwrap_or(cleaned)
            .replace(';', "&");
        let mut pairs: Vec<(String, String)> = Vec::new();
        for pair in cleaned.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let k = query_unescape(k).ok_or_else(|| self.structure())?;
            let v = query_unescape(v).ok_or_else(|| self.structure())?;
            if !pairs.iter().any(|(seen, _)| *seen == k) {
                pairs.push((k, v));
            }
        }
        let mut fields = Extra::default();
        for (k, v) in pairs {
            let value = v.trim();
            if !value.is_empty() {
                self.option(k.trim(), value, &mut fields)?;
            }
        }
        Ok(fields)
    }

    fn option(&self, key: &str, value: &str, fields: &mut Extra) -> Result<(), AnnotationError> {
        match key {
            "destination_port" | "destination-port" | "destinationPort" | "port" => {
                fields.destination_port = Some(value.to_owned());
            }
            "local_bind_address" | "local-bind-address" | "localBindAddress" => {
                fields.local_bind_address = Some(value.to_owned());
            }
            "mesh_gateway_mode" | "mesh-gateway-mode" | "meshGatewayMode" => {
                fields.mode = match value {
                    "none" => MeshGatewayMode::None,
                    "local" => MeshGatewayMode::Local,
                    "remote" => MeshGatewayMode::Remote,
                    _ => {
                        let kind = AnnotationErrorKind::InvalidMeshGatewayMode(value.to_owned());
                        return Err(self.err(kind));
                    }
                };
            }
            "datacenter" | "dc" => fields.datacenter = Some(value.to_owned()),
            _ => {
                return Err(self.err(AnnotationErrorKind::UnsupportedOption(key.to_owned())));
            }
        }
        Ok(())
    }
}

/// What comes after the port.
#[derive(Default)]
struct Extra {
    datacenter: Option<String>,
    destination_port: Option<String>,
    local_bind_address: Option<String>,
    mode: MeshGatewayMode,
}

impl Extra {
    fn apply(self, mut u: Upstream) -> (Upstream, Option<String>) {
        if self.datacenter.is_some() {
            u.datacenter = self.datacenter;
        }
        u.local_bind_address = self.local_bind_address;
        u.mesh_gateway = MeshGatewayConfig::new(self.mode);
        (u, self.destination_port)
    }
}

/// Go's `url.QueryUnescape`: `+` is a space, `%XX` a byte; `None` for a bad escape or bytes
/// that are not UTF-8.
fn query_unescape(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => {
                let hex = b.get(i + 1..i + 3)?;
                let hex = std::str::from_utf8(hex).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// Why Go's `strconv.ParseInt` refused a number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum GoIntError {
    /// `invalid syntax`.
    Syntax,
    /// `value out of range`.
    Range,
}

impl GoIntError {
    /// Go's text: `strconv.ParseInt: parsing "<s>": invalid syntax` (or `value out of range`).
    pub(crate) fn message(self, s: &str) -> String {
        let what = match self {
            Self::Syntax => "invalid syntax",
            Self::Range => "value out of range",
        };
        format!("strconv.ParseInt: parsing {}: {what}", go_quote(s))
    }
}

/// Go's `strconv.ParseInt(s, 0, 32)`: an optional sign, then a `0x`, `0o`, `0b` or `0` prefix
/// (hexadecimal, octal, binary, octal) or none (decimal); `_` may separate digits.
pub(crate) fn go_parse_int32(s: &str) -> Result<i64, GoIntError> {
    let (neg, digits) = match s.as_bytes().first() {
        Some(b'+') => (false, &s[1..]),
        Some(b'-') => (true, &s[1..]),
        _ => (false, s),
    };
    let (base, body) = base_of(digits).ok_or(GoIntError::Syntax)?;
    let mut n: u64 = 0;
    let mut underscores = false;
    for c in body.bytes() {
        let d = match c {
            b'_' => {
                underscores = true;
                continue;
            }
            b'0'..=b'9' => c - b'0',
            _ if c.is_ascii_alphabetic() => c.to_ascii_lowercase() - b'a' + 10,
            _ => return Err(GoIntError::Syntax),
        };
        if u32::from(d) >= base {
            return Err(GoIntError::Syntax);
        }
        n = n
            .checked_mul(u64::from(base))
            .and_then(|n| n.checked_add(u64::from(d)))
            .unwrap_or(u64::MAX);
    }
    if underscores && !underscore_ok(s) {
        return Err(GoIntError::Syntax);
    }
    let cutoff = 1u64 << 31;
    match (neg, n) {
        (false, n) if n >= cutoff => Err(GoIntError::Range),
        (true, n) if n > cutoff => Err(GoIntError::Range),
        (true, n) => Ok(-i64::try_from(n).unwrap_or(i64::MAX)),
        (false, n) => Ok(i64::try_from(n).unwrap_or(i64::MAX)),
    }
}

/// The base and digits of an unsigned number as Go's base-0 parse reads them; `None` for
/// nothing to read.
fn base_of(s: &str) -> Option<(u32, &str)> {
    let b = s.as_bytes();
    if b.is_empty() {
        return None;
    }
    if b[0] != b'0' {
        return Some((10, s));
    }
    let base = match b.get(1).map(u8::to_ascii_lowercase) {
        Some(b'b') if b.len() >= 3 => 2,
        Some(b'o') if b.len() >= 3 => 8,
        Some(b'x') if b.len() >= 3 => 16,
        _ => return Some((8, &s[1..])),
    };
    Some((base, &s[2..]))
}

/// Go's rule for `_` in a base-0 number: only between digits (a base prefix counts as one).
fn underscore_ok(s: &str) -> bool {
    let mut b = s.as_bytes();
    if let Some(rest) = b.strip_prefix(b"+").or_else(|| b.strip_prefix(b"-")) {
        b = rest;
    }
    let mut saw = b'^';
    let mut hex = false;
    let mut i = 0;
    if b.len() >= 2 && b[0] == b'0' && matches!(b[1].to_ascii_lowercase(), b'b' | b'o' | b'x') {
        i = 2;
        saw = b'0';
        hex = b[1].eq_ignore_ascii_case(&b'x');
    }
    for &c in &b[i..] {
        if c.is_ascii_digit() || (hex && c.is_ascii_hexdigit()) {
            saw = b'0';
        } else if c == b'_' {
            if saw != b'0' {
                return false;
            }
            saw = b'_';
        } else {
            if saw == b'_' {
                return false;
            }
            saw = b'!';
        }
    }
    saw != b'_'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_parse_int_reads_every_base_0_form() {
        let ok = [
            ("8080", 8080),
            ("+80", 80),
            ("-5", -5),
            ("0x1F90", 8080),
            ("0X1f90", 8080),
            ("0o17", 15),
            ("017", 15),
            ("0b101", 5),
            ("8_080", 8080),
            ("0x_1F", 31),
            ("0", 0),
            ("2147483647", 2_147_483_647),
            ("-2147483648", -2_147_483_648),
        ];
        for (s, n) in ok {
            assert_eq!(go_parse_int32(s), Ok(n), "{s}");
        }
        let syntax = [
            "", "+", "abc", "0x", "08", "1_", "_1", "1__0", "0b2", "12a", " 1",
        ];
        for s in syntax {
            assert_eq!(go_parse_int32(s), Err(GoIntError::Syntax), "{s:?}");
        }
        for s in ["2147483648", "-2147483649", "99999999999999999999999"] {
            assert_eq!(go_parse_int32(s), Err(GoIntError::Range), "{s}");
        }
    }

    #[test]
    fn query_unescape_follows_go() {
        assert_eq!(query_unescape("a+b%2Fc").as_deref(), Some("a b/c"));
        assert_eq!(query_unescape("%zz"), None);
        assert_eq!(query_unescape("%4"), None);
    }
}
