//! llama-test against a real Llama inference server (issue 11): llama.cpp's
//! `llama-server` with a tiny random-weights Llama-3 model, reached through
//! the `llamacpp:` provider.
//!
//! ```sh
//! bash scripts/llama-server.sh                      # once: builds the server and the model
//! cargo test -p llama-test-real                     # replays fixtures/; live-only tests need the server
//! LLAMA_TEST_MODE=record cargo test -p llama-test-real   # re-records against a fresh server
//! ```
//!
//! One module per point of the issue's "what it must prove". Outcomes a
//! test cannot see about itself (FAIL vs. ERROR, replay misses) are checked
//! by driver tests that run `#[ignore]`d probes (in [`probes`]) in a child
//! process.

mod support;

mod agent;
mod concurrency;
mod errors;
mod hygiene;
mod json_schema;
mod probes;
mod record_replay;
mod streaming;
mod tools;
