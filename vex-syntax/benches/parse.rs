//! Parser throughput benchmark.
fn main() {}
