//! Limits and the server-name policy.

use super::error::{Error, NameError};

/// What to do when a server name breaks one rule of the [`Policy`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Rule {
    /// Reject the hello with [`Error::InvalidName`].
    Reject,
    /// Accept the hello and report the problem through
    /// [`ClientHello::name_issue`](super::ClientHello::name_issue).
    Tolerate,
}

impl Rule {
    /// Applies the rule to a broken name: [`Rule::Reject`] rejects the hello with
    /// [`Error::InvalidName`]; [`Rule::Tolerate`] accepts it and keeps `e` in `issue` unless an
    /// earlier problem is there.
    pub(crate) fn apply(self, e: NameError, issue: &mut Option<NameError>) -> Result<(), Error> {
        match self {
            Rule::Reject => Err(Error::InvalidName(e)),
            Rule::Tolerate => {
                issue.get_or_insert(e);
                Ok(())
            }
        }
    }
}

/// How strictly server names are judged. Each rule is switchable; the defaults follow
/// RFC 6066 where it is explicit and rustls where it is lenient.
///
/// What [`Rule::Tolerate`] means per rule:
///
/// | rule | default | tolerated means |
/// |---|---|---|
/// | `multiple_names` | Reject | the first `host_name` is used |
/// | `duplicate_extension` | Reject | the first `server_name` extension is used |
/// | `unknown_name_type` | Tolerate | the entry is skipped |
/// | `empty_name` | Reject | the hello has no usable name |
/// | `ip_literal` | Tolerate | the name is reported as sent, with no validated view |
/// | `invalid_name` | Reject | the name is reported as sent, with no validated view |
/// | `trailing_dot` | Tolerate | one trailing dot is removed in the validated view |
/// | `underscore` | Tolerate | underscores are allowed in the validated view |
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Policy {
    /// More than one `host_name` in the list.
    pub multiple_names: Rule,
    /// A second `server_name` extension.
    pub duplicate_extension: Rule,
    /// A list entry whose `name_type` is not `host_name`.
    pub unknown_name_type: Rule,
    /// An empty extension, list or `host_name`.
    pub empty_name: Rule,
    /// An IPv4 or IPv6 literal.
    pub ip_literal: Rule,
    /// Bytes other than letters, digits, `-`, `_`, `.`; bad label lengths; a label that starts
    /// or ends with `-`; over 253 bytes.
    pub invalid_name: Rule,
    /// One trailing dot.
    pub trailing_dot: Rule,
    /// Underscores.
    pub underscore: Rule,
}

impl Policy {
    /// The default policy (see the table above).
    pub const DEFAULT: Policy = Policy {
        multiple_names: Rule::Reject,
        duplicate_extension: Rule::Reject,
        unknown_name_type: Rule::Tolerate,
        empty_name: Rule::Reject,
        ip_literal: Rule::Tolerate,
        invalid_name: Rule::Reject,
        trailing_dot: Rule::Tolerate,
        underscore: Rule::Tolerate,
    };

    /// Every rule set to [`Rule::Reject`].
    pub const STRICT: Policy = Policy {
        multiple_names: Rule::Reject,
        duplicate_extension: Rule::Reject,
        unknown_name_type: Rule::Reject,
        empty_name: Rule::Reject,
        ip_literal: Rule::Reject,
        invalid_name: Rule::Reject,
        trailing_dot: Rule::Reject,
        underscore: Rule::Reject,
    };

    /// Every rule set to [`Rule::Tolerate`]: only framing errors reject.
    pub const LENIENT: Policy = Policy {
        multiple_names: Rule::Tolerate,
        duplicate_extension: Rule::Tolerate,
        unknown_name_type: Rule::Tolerate,
        empty_name: Rule::Tolerate,
        ip_literal: Rule::Tolerate,
        invalid_name: Rule::Tolerate,
        trailing_dot: Rule::Tolerate,
        underscore: Rule::Tolerate,
    };
}

impl Default for Policy {
    fn default() -> Self {
        Policy::DEFAULT
    }
}

/// Parser configuration: the hello size cap and the name policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Config {
    max_hello_len: usize,
    policy: Policy,
}

impl Config {
    /// The default cap on the handshake message (header included): 64 KiB, the limit of rustls
    /// (a handshake body of at most 0xffff bytes) and of Envoy's tls_inspector
    /// (`TLS_MAX_CLIENT_HELLO`). Real clients send hellos over 16 KiB (a long ALPN list).
    pub const DEFAULT_MAX_HELLO_LEN: usize = 64 * 1024;
    /// The largest cap that can be configured: 64 KiB.
    pub const MAX_HELLO_LEN_LIMIT: usize = 64 * 1024;

    /// The defaults: 64 KiB cap, [`Policy::DEFAULT`].
    pub const fn new() -> Self {
        Config {
            max_hello_len: Self::DEFAULT_MAX_HELLO_LEN,
            policy: Policy::DEFAULT,
        }
    }

    /// Sets the cap on the ClientHello handshake message (its 4-byte header included),
    /// clamped to [`Config::MAX_HELLO_LEN_LIMIT`].
    #[must_use]
    pub const fn with_max_hello_len(mut self, len: usize) -> Self {
        self.max_hello_len = if len > Self::MAX_HELLO_LEN_LIMIT {
            Self::MAX_HELLO_LEN_LIMIT
        } else {
            len
        };
        self
    }

    /// Sets the name policy.
    #[must_use]
    pub const fn with_policy(mut self, policy: Policy) -> Self {
        self.policy = policy;
        self
    }

    /// The cap on the handshake message, in bytes.
    pub const fn max_hello_len(&self) -> usize {
        self.max_hello_len
    }

    /// The name policy.
    pub const fn policy(&self) -> &Policy {
        &self.policy
    }
}

impl Default for Config {
    fn default() -> Self {
        Config::new()
    }
}
