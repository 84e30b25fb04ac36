//! Zero-copy TLS ClientHello server-name reader.
