//! Generators and invariant checkers for property tests (feature `testing`).

pub use crate::coro::CoroInfo;
