//! Generators of well-formed Vex Core programs for property tests (feature `testing`).
