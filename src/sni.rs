//! SNI names exactly as Consul builds them, and a parser that takes them apart.
