//! Why a ClientHello was rejected.

use core::fmt;

/// The field of a ClientHello (or of its record framing) found malformed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Field {
    /// A record inside the hello is not a handshake record (record types must not interleave).
    RecordType,
    /// A record has a zero length (forbidden for handshake fragments).
    RecordLength,
    /// The ClientHello's `legacy_version`.
    LegacyVersion,
    /// The 32-byte `random`.
    Random,
    /// `legacy_session_id` (at most 32 bytes).
    SessionId,
    /// `cipher_suites` (an even length of at least 2).
    CipherSuites,
    /// `legacy_compression_methods` (at least 1).
    CompressionMethods,
    /// The extensions block length does not match the rest of the message.
    Extensions,
    /// An extension header or body overruns the extensions block.
    ExtensionLength,
    /// The `server_name` extension's list framing.
    ServerNameList,
    /// A `host_name` entry overruns its list.
    HostName,
    /// The `application_layer_protocol_negotiation` extension.
    Alpn,
    /// The `supported_versions` extension.
    SupportedVersions,
    /// `pre_shared_key` is not the last extension.
    PreSharedKey,
}

impl Field {
    /// A static description of the field.
    pub const fn as_str(self) -> &'static str {
        match self {
            Field::RecordType => "non-handshake record inside the hello",
            Field::RecordLength => "zero-length record",
            Field::LegacyVersion => "legacy_version",
            Field::Random => "random",
            Field::SessionId => "legacy_session_id",
            Field::CipherSuites => "cipher_suites",
            Field::CompressionMethods => "legacy_compression_methods",
            Field::Extensions => "extensions length",
            Field::ExtensionLength => "extension length",
            Field::ServerNameList => "server_name list",
            Field::HostName => "host_name length",
            Field::Alpn => "application_layer_protocol_negotiation",
            Field::SupportedVersions => "supported_versions",
            Field::PreSharedKey => "pre_shared_key not last",
        }
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// Why a server name breaks the [`Policy`](super::Policy), or is no DNS host name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum NameError {
    /// The extension, its list or the `host_name` is empty.
    Empty,
    /// More than one `host_name` in the list (RFC 6066: one name per type).
    MultipleNames,
    /// A second `server_name` extension.
    DuplicateExtension,
    /// A `name_type` other than `host_name` (0).
    UnknownNameType,
    /// An IPv4 or IPv6 literal (RFC 6066 forbids them).
    IpLiteral,
    /// More than 253 bytes (after removing one trailing dot).
    TooLong,
    /// An empty label or a label over 63 bytes.
    LabelLength,
    /// A byte other than an ASCII letter, digit, `-`, `_` or `.`.
    InvalidByte,
    /// A label that starts or ends with `-` (RFC 1123).
    Hyphen,
    /// The last label is a number (decimal, or `0x` hex): it would read as an IPv4 address.
    NumericLastLabel,
    /// A trailing dot (tolerated and removed by default).
    TrailingDot,
    /// An underscore (tolerated by default).
    Underscore,
}

impl NameError {
    /// A static description of the problem.
    pub const fn as_str(self) -> &'static str {
        match self {
            NameError::Empty => "empty server name",
            NameError::MultipleNames => "more than one host_name",
            NameError::DuplicateExtension => "duplicate server_name extension",
            NameError::UnknownNameType => "unknown server name type",
            NameError::IpLiteral => "IP literal as server name",
            NameError::TooLong => "server name longer than 253 bytes",
            NameError::LabelLength => "server name label empty or longer than 63 bytes",
            NameError::InvalidByte => "invalid byte in server name",
            NameError::Hyphen => "server name label starts or ends with a hyphen",
            NameError::NumericLastLabel => "server name ends with a numeric label",
            NameError::TrailingDot => "trailing dot in server name",
            NameError::Underscore => "underscore in server name",
        }
    }
}

impl fmt::Display for NameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl core::error::Error for NameError {}

/// Why the input was rejected. Never "more bytes needed": that is [`Status::Partial`](super::Status::Partial).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Error {
    /// The first bytes are not a TLS handshake record.
    NotTls,
    /// An SSLv2-compatible hello: it has no extensions, so no server name.
    Sslv2Hello,
    /// The first handshake message is not a ClientHello.
    NotClientHello,
    /// A record longer than 2^14 bytes (`record_overflow`).
    RecordOverflow,
    /// The hello is longer than [`Config::max_hello_len`](super::Config).
    HelloTooLarge,
    /// The same extension (of a type this parser reads) appears twice.
    DuplicateExtension(u16),
    /// Malformed at the named field.
    Malformed(Field),
    /// The server name breaks the policy.
    InvalidName(NameError),
}

impl Error {
    /// A static description of the kind of error (without the field or name detail).
    pub const fn as_str(self) -> &'static str {
        match self {
            Error::NotTls => "not a TLS handshake record",
            Error::Sslv2Hello => "SSLv2-compatible hello (no extensions)",
            Error::NotClientHello => "not a ClientHello",
            Error::RecordOverflow => "record longer than 2^14 bytes",
            Error::HelloTooLarge => "ClientHello over the configured size limit",
            Error::DuplicateExtension(_) => "duplicate extension",
            Error::Malformed(_) => "malformed ClientHello",
            Error::InvalidName(_) => "invalid server name",
        }
    }
}

impl Error {
    /// The stable kebab-case name of the kind of error (`not-tls`, `malformed`,
    /// `invalid-name`, …), for machine-readable reports.
    pub const fn code(self) -> &'static str {
        match self {
            Error::NotTls => "not-tls",
            Error::Sslv2Hello => "sslv2-hello",
            Error::NotClientHello => "not-client-hello",
            Error::RecordOverflow => "record-overflow",
            Error::HelloTooLarge => "hello-too-large",
            Error::DuplicateExtension(_) => "duplicate-extension",
            Error::Malformed(_) => "malformed",
            Error::InvalidName(_) => "invalid-name",
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())?;
        match self {
            Error::Malformed(field) => {
                f.write_str(": ")?;
                f.write_str(field.as_str())
            }
            Error::InvalidName(e) => {
                f.write_str(": ")?;
                f.write_str(e.as_str())
            }
            Error::DuplicateExtension(t) => write!(f, " {t}"),
            _ => Ok(()),
        }
    }
}

impl core::error::Error for Error {}
