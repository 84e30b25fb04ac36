//! SNI sniffer benchmarks.
fn main() {}
