//! Benchmarks of llama-test, run as binaries (they spawn cargo and test
//! binaries, so they are not timed tests):
//!
//! - `cargo run --release -p llama-test-bench --bin replay300`: issue 3,
//!   replaying 300 recorded evals through the real test path;
//! - `cargo run --release -p llama-test-bench --bin compile300`: issue 4,
//!   compile time of 300 `#[llama_eval]` tests vs. the same tests written
//!   as plain `#[test]` fns calling the runtime;
//! - `cargo run --release -p llama-test-bench --bin live300`: issue 6, the
//!   same 300 evals in `live` mode against the simulated Llama API at
//!   500 ms latency, with and without the suite-wide prefetch.
//!
//! The library holds what they share: the generated sources
//! ([`generate`]), process measurement ([`measure`]) and cargo plumbing
//! ([`cargo`]).

pub mod cargo;
pub mod generate;
pub mod measure;
pub mod promptfoo_yaml;
